import { dateInZone, type WorkCalendar } from "../../domain/calendar";
import { givenDeadline, showDeadline, workingDeadline, type Deadline } from "../../domain/deadlines";
import { enqueueMessage } from "../../lark/outbox";
import { appendAudit } from "../../store/audit";
import type { Tx } from "../../store/db";

/** Confirmations recorded before confirmedOn existed: the bureau date of the instant (the default zone). */
const LEGACY_ZONE = "Asia/Shanghai";

interface Move {
  what: string;
  from: string;
  to: Deadline;
}

/**
 * After a 节假日安排 import: every open deadline is computed again with the new calendar, from the
 * same base date and the same number of working days it was given; the flag of a now-covered year
 * goes away, and the people concerned are told privately when a date moved (法制员 for publicity,
 * the owners for a follow-up). Returns the lines for the import summary.
 */
export async function recomputeDeadlines(
  tx: Tx,
  before: WorkCalendar,
  after: WorkCalendar,
  o: { now: Date; actor: string; batch: string },
): Promise<string[]> {
  const tell = new Map<string, string[]>(); // certNo → lines; "法制员" for publicity
  let checked = 0;
  let changed = 0;
  const moved: Move[] = [];

  const names = new Map(
    (
      await tx.target.findMany({
        select: { creditCode: true, name: true },
        where: {
          creditCode: {
            in: (await tx.result.findMany({ where: { current: true }, select: { targetId: true } })).map(
              (r) => r.targetId,
            ),
          },
        },
      })
    ).map((t) => [t.creditCode, t.name]),
  );

  for (const r of await tx.result.findMany({
    where: { current: true, status: "confirmed", publishedAt: null, publicityDue: { not: null } },
  })) {
    checked++;
    const base = r.confirmedOn ?? (r.confirmedAt ? dateInZone(r.confirmedAt, LEGACY_ZONE) : null);
    if (!base) continue;
    const n = before.workingDaysBetween(base, r.publicityDue!);
    const next = workingDeadline(after, base, n);
    if (next.date === r.publicityDue && next.uncoveredYear === r.publicityDueUncovered) continue;
    changed++;
    await tx.result.update({
      where: { id: r.id },
      data: { publicityDue: next.date, publicityDueUncovered: next.uncoveredYear },
    });
    await appendAudit(tx, {
      at: o.now,
      actor: o.actor,
      action: "deadline.recompute",
      entity: "result",
      entityId: String(r.id),
      data: { field: "publicityDue", from: r.publicityDue, to: next.date, uncoveredYear: next.uncoveredYear },
    });
    if (next.date !== r.publicityDue) {
      const m = { what: `${names.get(r.targetId) ?? ""}（${r.targetId}）公示期限`, from: r.publicityDue!, to: next };
      moved.push(m);
      tell.set("法制员", [...(tell.get("法制员") ?? []), line(m)]);
    }
  }

  for (const f of await tx.followUp.findMany({
    where: { status: "open", dueDate: { not: null } },
    include: { result: true },
  })) {
    checked++;
    let next: Deadline;
    if (f.kind === "移送" && f.openedOn)
      next = workingDeadline(after, f.openedOn, before.workingDaysBetween(f.openedOn, f.dueDate!));
    else if (f.kind === "整改复查") next = givenDeadline(after, f.dueDate!);
    else continue; // 立案调查: calendar days, no holidays involved
    if (next.date === f.dueDate && next.uncoveredYear === f.dueUncovered) continue;
    changed++;
    await tx.followUp.update({ where: { id: f.id }, data: { dueDate: next.date, dueUncovered: next.uncoveredYear } });
    await appendAudit(tx, {
      at: o.now,
      actor: o.actor,
      action: "deadline.recompute",
      entity: "followup",
      entityId: String(f.id),
      data: { from: f.dueDate, to: next.date, uncoveredYear: next.uncoveredYear },
    });
    if (next.date !== f.dueDate) {
      const m = {
        what: `${names.get(f.result.targetId) ?? ""}（${f.result.targetId}）${f.kind}期限`,
        from: f.dueDate!,
        to: next,
      };
      moved.push(m);
      for (const certNo of f.owner.split(";").filter(Boolean)) tell.set(certNo, [...(tell.get(certNo) ?? []), line(m)]);
    }
  }

  for (const [who, lines] of tell) {
    const people =
      who === "法制员"
        ? await tx.inspector.findMany({ where: { roles: { contains: "法制员" }, openId: { not: null } } })
        : await tx.inspector.findMany({ where: { certNo: who, openId: { not: null } } });
    for (const p of people) {
      const text = `【期限变动】已导入新的节假日安排，以下期限重新计算：\n${lines.join("\n")}`;
      await enqueueMessage(
        tx,
        {
          key: `deadline-moved:${o.batch}:${who}:${p.certNo}`,
          to: { openId: p.openId! },
          msgType: "text",
          content: { text },
        },
        o.now,
      );
    }
  }
  if (checked === 0) return [];
  return [
    `已按新的节假日安排重新核算 ${checked} 个未办结期限：${changed} 个有更新，其中 ${moved.length} 个日期变动${moved.length ? "，已私信通知相关人员" : ""}`,
  ];
}

const line = (m: Move) => `· ${m.what}：${m.from} → ${showDeadline(m.to.date, m.to.uncoveredYear)}`;
