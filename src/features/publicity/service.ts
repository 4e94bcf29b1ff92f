import { dateInZone, type WorkCalendar } from "../../domain/calendar";
import { AppError } from "../../domain/errors";
import { publicationDateProblem } from "../../domain/publicity";
import { appendAudit } from "../../store/audit";
import type { Prisma, DbOrTx } from "../../store/db";
import type { DueRow } from "../../domain/publicity";

/** A confirmed, current result not yet marked 已公示: what `公示` lists. */

/** Which due results an action speaks for: all of them, one task's, or explicit ids; `asOf` limits to those confirmed by then. */
export interface DueScope {
  taskCode?: string;
  resultIds?: number[];
  /** Only results confirmed at or before this instant: the ones a card listed when it was made. */
  asOf?: Date;
}

function dueWhere(scope: DueScope): Prisma.ResultWhereInput {
  return {
    current: true,
    status: "confirmed",
    confirmedAt: scope.asOf ? { not: null, lte: scope.asOf } : { not: null },
    publishedAt: null,
    ...(scope.resultIds ? { id: { in: scope.resultIds } } : {}),
  };
}

/** The due list, soonest deadline first (overdue on top), with names, not only credit codes. */
export async function dueResults(
  tx: DbOrTx,
  o: { today: string; timeZone: string; calendar: WorkCalendar; scope?: DueScope },
): Promise<DueRow[]> {
  const scope = o.scope ?? {};
  const draws = await tx.draw.findMany({
    where: { status: "revealed", ...(scope.taskCode ? { taskCode: scope.taskCode } : {}) },
    select: { id: true, taskCode: true, task: { select: { name: true } } },
  });
  const drawById = new Map(draws.map((d) => [d.id, d]));
  const results = await tx.result.findMany({
    where: { ...dueWhere(scope), drawId: { in: [...drawById.keys()] } },
    orderBy: [{ publicityDue: "asc" }, { id: "asc" }],
    select: {
      id: true,
      drawId: true,
      targetId: true,
      category: true,
      correctionReason: true,
      confirmedAt: true,
      confirmedOn: true,
      publicityDue: true,
    },
  });
  // Few distinct dates: count working days once per due date and convert once per confirmation day.
  const left = new Map<string, number>();
  const daysLeft = (due: string) =>
    left.get(due) ?? left.set(due, o.calendar.workingDaysBetween(o.today, due)).get(due)!;
  const names = new Map<string, string>();
  const codes = [...new Set(results.map((r) => r.targetId))];
  for (let k = 0; k < codes.length; k += 500) {
    for (const t of await tx.target.findMany({
      where: { creditCode: { in: codes.slice(k, k + 500) } },
      select: { creditCode: true, name: true },
    }))
      names.set(t.creditCode, t.name);
  }
  return results.map((r) => {
    const d = drawById.get(r.drawId)!;
    return {
      resultId: r.id,
      drawId: r.drawId,
      taskCode: d.taskCode,
      taskName: d.task.name,
      creditCode: r.targetId,
      targetName: names.get(r.targetId) ?? "",
      category: r.category,
      corrected: r.correctionReason !== null,
      // The bureau date of the confirmation (the one clock), for rows from before it was stored: the instant's day.
      confirmedOn: r.confirmedOn ?? dateInZone(r.confirmedAt!, o.timeZone),
      due: r.publicityDue,
      daysLeft: r.publicityDue ? daysLeft(r.publicityDue) : null,
    };
  });
}

export interface MarkOutcome {
  marked: DueRow[];
  /** Results left unmarked, each with the reason (e.g. a 公示日期 before its confirmation). */
  skipped: { row: DueRow; why: string }[];
}

/**
 * Marks due results as published (已公示) on `date`, a bureau date between each result's
 * confirmation date and today. One audit entry names every result marked. A result already marked
 * (a double click, two people at once) is not marked twice.
 */
export async function markPublished(
  tx: DbOrTx,
  o: {
    scope: DueScope;
    date: string;
    actor: string;
    now: Date;
    today: string;
    timeZone: string;
    calendar: WorkCalendar;
  },
): Promise<MarkOutcome> {
  if (o.date > o.today) throw new AppError("BAD_DATE", `公示日期 ${o.date} 晚于今天（${o.today}），不能标记`);
  const rows = await dueResults(tx, o);
  const marked: DueRow[] = [];
  const skipped: MarkOutcome["skipped"] = [];
  for (const row of rows) {
    const problem = publicationDateProblem(o.date, row.confirmedOn, o.today);
    if (problem) skipped.push({ row, why: problem });
    else marked.push(row);
  }
  if (marked.length > 0) {
    const ids = marked.map((r) => r.resultId);
    for (let k = 0; k < ids.length; k += 500) {
      await tx.result.updateMany({
        where: { id: { in: ids.slice(k, k + 500) }, publishedAt: null },
        data: { publishedAt: o.now, publishedOn: o.date, publishedBy: o.actor },
      });
    }
    await appendAudit(tx, {
      at: o.now,
      actor: o.actor,
      action: "publicity.mark",
      entity: "result",
      entityId: ids.length === 1 ? String(ids[0]) : `${ids.length} results`,
      data: { date: o.date, resultIds: ids, taskCode: o.scope.taskCode ?? null },
    });
  }
  return { marked, skipped };
}
