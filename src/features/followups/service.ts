import { followUpCard, type FollowUpView } from "../../../cards/followups";
import type { WorkCalendar } from "../../domain/calendar";
import { canonicalJson } from "../../domain/canonical";
import { dueState, dueText, showDeadline } from "../../domain/deadlines";
import { AppError } from "../../domain/errors";
import {
  dueFor,
  kindForDisposal,
  reconcileCorrection,
  transition,
  type FollowUpEvent,
  type FollowUpKind,
} from "../../domain/followups";
import { enqueueMessage } from "../../lark/outbox";
import { appendAudit } from "../../store/audit";
import { loadCalendar } from "../../store/calendar";
import type { Prisma, Tx } from "../../store/db";
import { teamOf } from "../tasks/team";

type FollowUpRow = Prisma.FollowUpGetPayload<object>;
type ResultRow = Prisma.ResultGetPayload<object>;

export const ownersOf = (f: { owner: string }) => f.owner.split(";").filter(Boolean);

/** Everything a follow-up card shows, as of `today`. */
export async function followUpView(tx: Tx, f: FollowUpRow, today: string, cal: WorkCalendar): Promise<FollowUpView> {
  const r = await tx.result.findUniqueOrThrow({ where: { id: f.resultId } });
  const draw = await tx.draw.findUniqueOrThrow({ where: { id: r.drawId } });
  const target = await tx.target.findUnique({ where: { creditCode: r.targetId } });
  const people = await tx.inspector.findMany({ where: { certNo: { in: ownersOf(f) } } });
  const names = ownersOf(f).map((c) => people.find((p) => p.certNo === c)?.name ?? c);
  return {
    id: f.id,
    kind: f.kind,
    status: f.status,
    outcome: f.outcome,
    details: JSON.parse(f.details) as Record<string, string>,
    taskCode: draw.taskCode,
    targetName: target?.name ?? "",
    creditCode: r.targetId,
    problem: r.problem,
    disposal: r.disposal,
    dueShown: f.dueDate ? showDeadline(f.dueDate, f.dueUncovered) : null,
    dueState: f.status === "open" && f.dueDate ? dueText(dueState(cal, today, f.dueDate)) : null,
    owners: names,
  };
}

interface OpenInput {
  result: ResultRow;
  kind: FollowUpKind;
  disposal: string;
  today: string;
  cal: WorkCalendar;
  now: Date;
  actor: string;
  parentId?: number;
}

/** Opens one follow-up owned by the target's current team; a 立案/移送 owner gets the record card at once. */
async function openFollowUp(tx: Tx, o: OpenInput): Promise<FollowUpRow> {
  const owners = (await teamOf(tx, o.result.drawId, o.result.targetId)).map((m) => m.inspectorId);
  const due = dueFor(o.kind, o.today, o.result.rectifyDeadline, o.cal);
  const f = await tx.followUp.create({
    data: {
      resultId: o.result.id,
      kind: o.kind,
      dueDate: due?.date ?? null,
      dueUncovered: due?.uncoveredYear ?? null,
      owner: owners.join(";"),
      openedOn: o.today,
      parentId: o.parentId ?? null,
      details: canonicalJson({ 处置: o.disposal }),
    },
  });
  await appendAudit(tx, {
    at: o.now,
    actor: o.actor,
    action: "followup.open",
    entity: "followup",
    entityId: String(f.id),
    data: {
      resultId: o.result.id,
      kind: o.kind,
      disposal: o.disposal,
      dueDate: f.dueDate,
      dueUncovered: f.dueUncovered,
      owner: owners,
      parentId: f.parentId,
    },
  });
  if (o.kind !== "整改复查") {
    // The 复查 card comes with the daily reminders at the deadline; a case or transfer needs its record form now.
    const content = followUpCard(await followUpView(tx, f, o.today, o.cal));
    for (const p of await tx.inspector.findMany({ where: { certNo: { in: owners }, openId: { not: null } } })) {
      await enqueueMessage(
        tx,
        { key: `followup:${f.id}:opened:${p.certNo}`, to: { openId: p.openId! }, msgType: "interactive", content },
        o.now,
      );
    }
  }
  return f;
}

/** At confirmation: the follow-up the result's 后续处置 needs, if any. */
export async function openForResult(
  tx: Tx,
  result: ResultRow,
  o: { today: string; cal: WorkCalendar; now: Date; actor: string },
): Promise<FollowUpRow | null> {
  const kind = kindForDisposal(result.disposal);
  if (!kind || !result.disposal) return null;
  return openFollowUp(tx, { result, kind, disposal: result.disposal, ...o });
}

/** Applies one recorded step (card click) through the state machine; audited; may open the next follow-up. */
export async function applyFollowUpEvent(
  tx: Tx,
  id: number,
  event: FollowUpEvent,
  o: { today: string; now: Date; actor: string },
): Promise<{ followUp: FollowUpRow; opened: FollowUpRow | null }> {
  const f = await tx.followUp.findUnique({ where: { id } });
  if (!f) throw new AppError("NOT_FOUND", "找不到这项后续处置");
  const r = await tx.result.findUniqueOrThrow({ where: { id: f.resultId } });
  const t = transition(
    { kind: f.kind as FollowUpKind, status: f.status as "open" | "closed", outcome: f.outcome },
    event,
    { today: o.today, inspectionDate: r.inspectionDate, openedOn: f.openedOn ?? r.inspectionDate },
  );
  if (!t.ok) throw new AppError("ILLEGAL_TRANSITION", t.message);
  const details = { ...(JSON.parse(f.details) as Record<string, string>), ...t.details };
  const closed = await tx.followUp.update({
    where: { id: f.id },
    data: { status: "closed", outcome: t.outcome, closedAt: o.now, details: canonicalJson(details) },
  });
  await appendAudit(tx, {
    at: o.now,
    actor: o.actor,
    action: `followup.${event.type}`,
    entity: "followup",
    entityId: String(f.id),
    data: { outcome: t.outcome, details: t.details },
  });
  const opened = t.opens
    ? await openFollowUp(tx, {
        result: r,
        kind: t.opens.kind,
        disposal: t.opens.disposal,
        today: o.today,
        cal: await loadCalendar(tx),
        now: o.now,
        actor: o.actor,
        parentId: f.id,
      })
    : null;
  return { followUp: closed, opened };
}

/**
 * A correction made `corrected` the current version of `old`: follow-ups that still apply move to the
 * new version (a changed 整改期限 moves the open 复查), those that no longer apply close as 已撤销, and
 * the new disposal's follow-up opens.
 */
export async function reconcileAfterCorrection(
  tx: Tx,
  old: ResultRow,
  corrected: ResultRow,
  o: { today: string; now: Date; actor: string },
): Promise<void> {
  const chain = await tx.followUp.findMany({ where: { resultId: old.id } });
  const open = chain.filter((f) => f.status === "open");
  const plan = reconcileCorrection(
    old.disposal,
    corrected.disposal,
    open.map((f) => f.id),
  );
  const cal = await loadCalendar(tx);
  await tx.followUp.updateMany({ where: { resultId: old.id }, data: { resultId: corrected.id } });
  for (const f of open.filter((x) => plan.keep.includes(x.id))) {
    if (f.kind === "整改复查" && corrected.rectifyDeadline && corrected.rectifyDeadline !== f.dueDate) {
      const due = dueFor("整改复查", f.openedOn ?? o.today, corrected.rectifyDeadline, cal)!;
      await tx.followUp.update({ where: { id: f.id }, data: { dueDate: due.date, dueUncovered: due.uncoveredYear } });
      await appendAudit(tx, {
        at: o.now,
        actor: o.actor,
        action: "followup.reschedule",
        entity: "followup",
        entityId: String(f.id),
        data: { from: f.dueDate, to: due.date, resultId: corrected.id },
      });
    }
  }
  for (const id of plan.close)
    await applyFollowUpEvent(tx, id, { type: "void", reason: `检查结果已更正（第 ${corrected.version} 版）` }, o);
  if (plan.open && corrected.disposal)
    await openFollowUp(tx, {
      result: corrected,
      kind: plan.open,
      disposal: corrected.disposal,
      today: o.today,
      cal,
      now: o.now,
      actor: o.actor,
    });
}
