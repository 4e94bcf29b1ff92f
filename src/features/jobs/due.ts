import type { WorkCalendar } from "../../domain/calendar";
import { dueState, isDueSoon, type DueState } from "../../domain/deadlines";
import type { Prisma, DbOrTx } from "../../store/db";

export const DIGEST_KINDS = ["结果未录入", "待公示", "整改复查", "立案/移送"] as const;
export type DigestKind = (typeof DIGEST_KINDS)[number];

/** One line of the 法制办 digest: something overdue or due within 3 working days. */
export interface DueLine {
  kind: DigestKind;
  targetName: string;
  creditCode: string;
  taskCode: string;
  /** Names; 法制办 for publicity. */
  owners: string[];
  ownerCertNos: string[];
  due: string;
  uncoveredYear: number | null;
  state: DueState;
  drawId: string;
  resultId?: number;
  followUpId?: number;
}

const WINDOW_WORKING_DAYS = 3;

/** Coarse bound for the queries (a day past the window's last working day); isDueSoon decides exactly. */
const horizonOf = (cal: WorkCalendar, today: string) => cal.addWorkingDays(today, WINDOW_WORKING_DAYS + 1).date;

export interface People {
  name(certNo: string): string;
  openId(certNo: string): string | null;
}

export async function people(tx: DbOrTx): Promise<People> {
  const rows = await tx.inspector.findMany({ select: { certNo: true, name: true, openId: true } });
  const by = new Map(rows.map((r) => [r.certNo, r]));
  return { name: (c) => by.get(c)?.name ?? c, openId: (c) => by.get(c)?.openId ?? null };
}

async function targetNames(tx: DbOrTx, codes: string[]): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  const unique = [...new Set(codes)];
  for (let k = 0; k < unique.length; k += 500) {
    for (const t of await tx.target.findMany({
      where: { creditCode: { in: unique.slice(k, k + 500) } },
      select: { creditCode: true, name: true },
    }))
      out.set(t.creditCode, t.name);
  }
  return out;
}

/** Drawn targets of tasks ending soon or past, with their current team and current result. */
export async function openTargets(tx: DbOrTx, today: string, cal: WorkCalendar) {
  const horizon = horizonOf(cal, today);
  const tasks = await tx.task.findMany({
    where: { endDate: { lte: horizon } },
    include: { draws: { where: { status: "revealed" } } },
  });
  const out: {
    taskCode: string;
    endDate: string;
    drawId: string;
    targetId: string;
    team: string[];
    result: Prisma.ResultGetPayload<object> | null;
    assignmentIds: Map<string, number>;
  }[] = [];
  for (const t of tasks) {
    if (!isDueSoon(cal, today, t.endDate, WINDOW_WORKING_DAYS)) continue;
    for (const d of t.draws) {
      const assignments = await tx.assignment.findMany({
        where: { drawId: d.id, status: { not: "recused" } },
        orderBy: { id: "asc" },
      });
      const results = new Map(
        (await tx.result.findMany({ where: { drawId: d.id, current: true } })).map((r) => [r.targetId, r]),
      );
      const byTarget = new Map<string, typeof assignments>();
      for (const a of assignments) byTarget.set(a.targetId, [...(byTarget.get(a.targetId) ?? []), a]);
      for (const [targetId, team] of byTarget) {
        out.push({
          taskCode: t.code,
          endDate: t.endDate,
          drawId: d.id,
          targetId,
          team: team.map((a) => a.inspectorId),
          result: results.get(targetId) ?? null,
          assignmentIds: new Map(team.map((a) => [a.inspectorId, a.id])),
        });
      }
    }
  }
  return out;
}

/** Everything the digest lists, grouped by the order of DIGEST_KINDS, most overdue first. */
export async function collectDue(tx: DbOrTx, today: string, cal: WorkCalendar): Promise<DueLine[]> {
  const who = await people(tx);
  const horizon = horizonOf(cal, today);
  const lines: DueLine[] = [];

  for (const o of await openTargets(tx, today, cal)) {
    if (o.result?.status === "confirmed") continue;
    lines.push({
      kind: "结果未录入",
      targetName: "",
      creditCode: o.targetId,
      taskCode: o.taskCode,
      owners: o.team.map(who.name),
      ownerCertNos: o.team,
      due: o.endDate,
      uncoveredYear: null,
      state: dueState(cal, today, o.endDate),
      drawId: o.drawId,
    });
  }

  const unpublished = await tx.result.findMany({
    where: { current: true, status: "confirmed", publishedAt: null, publicityDue: { lte: horizon } },
  });
  const draws = new Map<string, string>();
  const taskOf = async (drawId: string) => {
    if (!draws.has(drawId))
      draws.set(
        drawId,
        (await tx.draw.findUniqueOrThrow({ where: { id: drawId }, select: { taskCode: true } })).taskCode,
      );
    return draws.get(drawId)!;
  };
  for (const r of unpublished) {
    if (!isDueSoon(cal, today, r.publicityDue!, WINDOW_WORKING_DAYS)) continue;
    lines.push({
      kind: "待公示",
      targetName: "",
      creditCode: r.targetId,
      taskCode: await taskOf(r.drawId),
      owners: ["法制办"],
      ownerCertNos: [],
      due: r.publicityDue!,
      uncoveredYear: r.publicityDueUncovered,
      state: dueState(cal, today, r.publicityDue!),
      drawId: r.drawId,
      resultId: r.id,
    });
  }

  const followUps = await tx.followUp.findMany({
    where: { status: "open", OR: [{ dueDate: { lte: horizon } }, { dueDate: null }] },
    include: { result: true },
  });
  for (const f of followUps) {
    const due = f.dueDate ?? f.openedOn ?? today;
    if (f.dueDate && !isDueSoon(cal, today, f.dueDate, WINDOW_WORKING_DAYS)) continue;
    const owners = f.owner.split(";").filter(Boolean);
    lines.push({
      kind: f.kind === "整改复查" ? "整改复查" : "立案/移送",
      targetName: "",
      creditCode: f.result.targetId,
      taskCode: await taskOf(f.result.drawId),
      owners: owners.map(who.name),
      ownerCertNos: owners,
      due,
      uncoveredYear: f.dueUncovered,
      state: dueState(cal, today, due),
      drawId: f.result.drawId,
      resultId: f.resultId,
      followUpId: f.id,
    });
  }

  const names = await targetNames(
    tx,
    lines.map((l) => l.creditCode),
  );
  for (const l of lines) l.targetName = names.get(l.creditCode) ?? "";
  const urgency = (s: DueState) => ("overdue" in s ? -s.overdue - 1 : s.left);
  return lines.sort(
    (a, b) =>
      DIGEST_KINDS.indexOf(a.kind) - DIGEST_KINDS.indexOf(b.kind) ||
      urgency(a.state) - urgency(b.state) ||
      a.creditCode.localeCompare(b.creditCode),
  );
}
