import { shiftDays, type WorkCalendar } from "./calendar";

/**
 * Deadlines and how they are shown (interface.md §9). A deadline computed through a year that neither
 * the bundled calendar nor an import covers used weekends only; it carries that year so every place
 * that shows it can say 「（未导入YYYY年节假日安排，日期待确认）」, and a holidays import can recompute it.
 */
export interface Deadline {
  date: string;
  /** The first uncovered year the computation relied on, or null when the date is certain. */
  uncoveredYear: number | null;
}

const uncertainMark = (year: number): string => `（未导入${year}年节假日安排，日期待确认）`;

/** A date for people: the date plus the uncertainty mark when its year's holidays are unknown. */
export const showDeadline = (date: string, uncoveredYear: number | null | undefined): string =>
  uncoveredYear ? `${date}${uncertainMark(uncoveredYear)}` : date;

/** The n-th working day after `from` (the publicity deadline, a 移送's time limit). */
export function workingDeadline(cal: WorkCalendar, from: string, n: number): Deadline {
  const r = cal.addWorkingDays(from, n);
  let uncovered: number | null = null;
  for (let d = shiftDays(from, 1); d <= r.date; d = shiftDays(d, 1)) {
    if (cal.isUncovered(d)) {
      uncovered = Number(d.slice(0, 4));
      break;
    }
  }
  return { date: r.date, uncoveredYear: uncovered };
}

/** A date someone chose (整改期限): certain as a date, but whether it is a working day is not when its year is uncovered. */
export function givenDeadline(cal: WorkCalendar, date: string): Deadline {
  return { date, uncoveredYear: cal.isUncovered(date) ? Number(date.slice(0, 4)) : null };
}

export type DueState = { overdue: number } | { left: number };

/** Working days overdue (due before today) or left (due today or later). */
export function dueState(cal: WorkCalendar, today: string, due: string): DueState {
  return due < today ? { overdue: cal.workingDaysBetween(due, today) } : { left: cal.workingDaysBetween(today, due) };
}

export function dueText(s: DueState): string {
  if ("overdue" in s) return s.overdue > 0 ? `逾期${s.overdue}个工作日` : "已到期";
  return s.left === 0 ? "今日到期" : `还剩${s.left}个工作日`;
}

/** Overdue, or due within `days` working days: what the 法制办 digest lists. */
export function isDueSoon(cal: WorkCalendar, today: string, due: string, days = 3): boolean {
  const s = dueState(cal, today, due);
  return "overdue" in s || s.left <= days;
}

/** The first working day of the bureau's week (Monday-based): no working day earlier in the same week. */
export function isFirstWorkingDayOfWeek(cal: WorkCalendar, date: string): boolean {
  if (!cal.isWorkingDay(date)) return false;
  const weekday = (new Date(`${date}T00:00:00Z`).getUTCDay() + 6) % 7; // Monday = 0
  for (let k = 1; k <= weekday; k++) if (cal.isWorkingDay(shiftDays(date, -k))) return false;
  return true;
}

const timeFormatters = new Map<string, Intl.DateTimeFormat>();

/** "HH:MM" in `timeZone` at `instant` (the time of day at which jobs are due). */
export function timeInZone(instant: Date, timeZone: string): string {
  let f = timeFormatters.get(timeZone);
  if (!f)
    timeFormatters.set(
      timeZone,
      (f = new Intl.DateTimeFormat("en-GB", { timeZone, hour: "2-digit", minute: "2-digit", hourCycle: "h23" })),
    );
  return f.format(instant);
}
