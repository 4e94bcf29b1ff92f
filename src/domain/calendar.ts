import bundled from "chinese-days/dist/chinese-days.json";

/**
 * Working days for the bureau (Asia/Shanghai): statutory holidays and 调休 from chinese-days,
 * overridden and extended by imported 节假日安排 rows. Dates are "YYYY-MM-DD" strings — calendar
 * days in the bureau's zone — so the server's TZ never matters. Pure: the overrides come in as data.
 */

export type DayKind = "休" | "班";

export interface HolidayOverride {
  date: string;
  kind: DayKind;
  name?: string;
}

// chinese-days' own isWorkday() parses dates in the process's local zone and answers wrongly when the
// server's TZ is not China's; its data maps are exact, so read those (holidays incl. 调休 rest days,
// and workdays = 补班 weekends) and take weekdays in UTC.
const BUNDLED = bundled as { holidays: Record<string, string>; workdays: Record<string, string> };

/** Years whose official schedule the bundled package knows (chinese-days 1.5.7: up to 2026). */
export const BUNDLED_YEARS: ReadonlySet<number> = new Set(
  Object.keys(BUNDLED.holidays).map((d) => Number(d.slice(0, 4))),
);

const isWeekday = (date: string) => {
  const day = new Date(`${date}T00:00:00Z`).getUTCDay();
  return day !== 0 && day !== 6;
};

const DATE_RE = /^(\d{4})-(\d{2})-(\d{2})$/;

export function isValidDate(text: string): boolean {
  const m = DATE_RE.exec(text);
  if (!m) return false;
  const d = new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])));
  return d.toISOString().slice(0, 10) === text;
}

export function shiftDays(date: string, days: number): string {
  const d = new Date(`${date}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + days);
  return d.toISOString().slice(0, 10);
}

const formatters = new Map<string, Intl.DateTimeFormat>(); // building one costs ~0.2 ms; reuse per zone

/** The calendar day in `timeZone` at `instant` — e.g. today in Shanghai whatever the server's TZ. */
export function dateInZone(instant: Date, timeZone: string): string {
  let f = formatters.get(timeZone);
  if (!f)
    formatters.set(
      timeZone,
      (f = new Intl.DateTimeFormat("en-CA", { timeZone, year: "numeric", month: "2-digit", day: "2-digit" })),
    );
  return f.format(instant);
}

export class WorkCalendar {
  private readonly overrides: Map<string, DayKind>;
  /** Years a holidays import speaks for: any override in that year marks the year as covered. */
  private readonly importedYears: Set<number>;

  constructor(overrides: readonly HolidayOverride[] = []) {
    this.overrides = new Map(overrides.map((o) => [o.date, o.kind]));
    this.importedYears = new Set(overrides.map((o) => Number(o.date.slice(0, 4))));
  }

  /** True when neither the bundled data nor an import covers the year: answers fall back to weekdays. */
  isUncovered(date: string): boolean {
    const year = Number(date.slice(0, 4));
    return !BUNDLED_YEARS.has(year) && !this.importedYears.has(year);
  }

  isWorkingDay(date: string): boolean {
    const o = this.overrides.get(date);
    if (o) return o === "班";
    if (date in BUNDLED.workdays) return true;
    if (date in BUNDLED.holidays) return false;
    return isWeekday(date);
  }

  /**
   * The n-th working day after `date` (n ≥ 1; the start day itself never counts), e.g. the
   * 20-working-day publicity deadline. Warns, in Chinese, for every uncovered year it passed through.
   */
  addWorkingDays(date: string, n: number): { date: string; warnings: string[] } {
    if (!isValidDate(date)) throw new RangeError(`invalid date: ${date}`);
    if (!Number.isSafeInteger(n) || n < 0) throw new RangeError(`invalid working-day count: ${n}`);
    const uncovered = new Set<number>();
    let d = date;
    for (let left = n; left > 0;) {
      d = shiftDays(d, 1);
      if (this.isUncovered(d)) uncovered.add(Number(d.slice(0, 4)));
      if (this.isWorkingDay(d)) left--;
    }
    return { date: d, warnings: [...uncovered].sort().map(uncoveredWarning) };
  }

  /** Working days from `from` (exclusive) to `to` (inclusive); negative when `to` is earlier. */
  workingDaysBetween(from: string, to: string): number {
    if (from === to) return 0;
    const sign = from < to ? 1 : -1;
    const [a, b] = sign > 0 ? [from, to] : [to, from];
    let count = 0;
    for (let d = shiftDays(a, 1); d <= b; d = shiftDays(d, 1)) if (this.isWorkingDay(d)) count++;
    return sign * count;
  }
}

function uncoveredWarning(year: number): string {
  return `注意：${year} 年的法定节假日安排尚未导入（内置日历只到 ${Math.max(...BUNDLED_YEARS)} 年），该年按周一至周五计算工作日；国务院办公厅公布安排后请用「drbot import holidays」导入。`;
}
