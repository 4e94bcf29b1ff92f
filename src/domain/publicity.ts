/**
 * 一公开: the publicity rate (interface.md §9) and the rules for a 公示日期. Pure: dates are bureau
 * dates (YYYY-MM-DD) handed in by the caller.
 */

/** part ÷ whole in basis points, rounded half-up (10.905% → 10.91%, never truncated); 0 of 0 → null. */
export function ratioBpHalfUp(part: number, whole: number): number | null {
  if (whole === 0) return null;
  // Integers only: floor((2·part·10000 + whole) / (2·whole)) is part·10000/whole rounded half-up.
  return Math.floor((2 * part * 10000 + whole) / (2 * whole));
}

export interface PublicityFacts {
  /** YYYY-MM-DD: the last day the result may be published on time; null when none was set. */
  due: string | null;
  /** YYYY-MM-DD: the 公示日期, null while unpublished. */
  publishedOn: string | null;
}

export interface PublicityRate {
  /** Published with 公示日期 ≤ due. */
  onTime: number;
  published: number;
  /** Past the due date and still unpublished. */
  overdue: number;
  /** Not published, not yet due: outside the rate until one or the other. */
  pending: number;
  /** onTime ÷ (published + overdue), basis points, half-up; null when the denominator is 0. */
  rateBp: number | null;
}

export type PublicityState = "待公示" | "已公示" | "逾期未公示";

/** The export's 公示状态 for one result on a given bureau date. */
export function publicityState(r: PublicityFacts, today: string): PublicityState {
  if (r.publishedOn !== null) return "已公示";
  return r.due !== null && r.due < today ? "逾期未公示" : "待公示";
}

/** Publicity rate = on time ÷ (published + past due and unpublished), as of `today`. */
export function publicityRate(results: readonly PublicityFacts[], today: string): PublicityRate {
  let onTime = 0;
  let published = 0;
  let overdue = 0;
  let pending = 0;
  for (const r of results) {
    if (r.publishedOn !== null) {
      published++;
      if (r.due === null || r.publishedOn <= r.due) onTime++;
    } else if (r.due !== null && r.due < today) overdue++;
    else pending++;
  }
  return { onTime, published, overdue, pending, rateBp: ratioBpHalfUp(onTime, published + overdue) };
}

/** A date picker's value ("yyyy-MM-dd +0800") or a bare YYYY-MM-DD; null when it is not a real date. */
export function parsePickedDate(v: unknown): string | null {
  const m = typeof v === "string" ? /^(\d{4}-\d{2}-\d{2})(?:\s+[+-]\d{4})?$/.exec(v.trim()) : null;
  if (!m) return null;
  const d = new Date(`${m[1]}T00:00:00Z`);
  return !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === m[1] ? m[1]! : null;
}

/** Why a 公示日期 can't be used for a result confirmed on `confirmedOn`, or null when it can. */
export function publicationDateProblem(date: string, confirmedOn: string, today: string): string | null {
  if (date > today) return `公示日期 ${date} 晚于今天（${today}）`;
  if (date < confirmedOn) return `公示日期 ${date} 早于结果确认日期（${confirmedOn}）`;
  return null;
}

/** A confirmed result due for publicity (公示), as the 公示 card, the CLI and the export list it. */
export interface DueRow {
  resultId: number;
  drawId: string;
  taskCode: string;
  taskName: string;
  creditCode: string;
  targetName: string;
  category: string;
  corrected: boolean;
  confirmedOn: string;
  due: string | null;
  /** Working days from today to the due date: negative when overdue; null without a due date. */
  daysLeft: number | null;
}
