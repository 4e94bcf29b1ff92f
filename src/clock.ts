import { dateInZone, isValidDate, shiftDays } from "./domain/calendar";

/**
 * The one clock (interface.md §9). `now()` is the real instant: signature freshness, retry timers,
 * inbox ages and card lifetimes always use it. `today()` is the bureau date (YYYY-MM-DD in
 * TZ_BUREAU) that every date-dependent rule reads; the sandbox's 模拟日期 shifts only this one, and a
 * test or an operator's `--at` pins it.
 */
export interface Clock {
  now(): Date;
  today(): string;
}

export interface BureauClockOptions {
  timeZone: string;
  /** The real instant (tests inject one). */
  instant?: () => Date;
  /** A fixed bureau date (DRBOT_TODAY, `jobs run --at`). */
  pinnedDate?: string;
  /** Days added to the bureau date; a SharedArrayBuffer-backed cell so both threads see a move at once. */
  offsetCell?: Int32Array;
}

export class BureauClock implements Clock {
  readonly offsetCell: Int32Array;
  private readonly instant: () => Date;

  constructor(private readonly opts: BureauClockOptions) {
    if (opts.pinnedDate !== undefined && !isValidDate(opts.pinnedDate))
      throw new Error(`not a date: ${opts.pinnedDate}`);
    this.instant = opts.instant ?? (() => new Date());
    this.offsetCell = opts.offsetCell ?? new Int32Array(new SharedArrayBuffer(4));
  }

  now(): Date {
    return this.instant();
  }

  today(): string {
    const base = this.opts.pinnedDate ?? dateInZone(this.instant(), this.opts.timeZone);
    const offset = Atomics.load(this.offsetCell, 0);
    return offset === 0 ? base : shiftDays(base, offset);
  }

  /** Simulated days ahead of the real bureau date (sandbox only). */
  get offsetDays(): number {
    return Atomics.load(this.offsetCell, 0);
  }

  setOffsetDays(days: number): void {
    Atomics.store(this.offsetCell, 0, days);
  }

  /** The same clock pinned to another bureau date (e.g. `drbot jobs run --at`). */
  at(date: string): BureauClock {
    return new BureauClock({ ...this.opts, pinnedDate: date, offsetCell: new Int32Array(new SharedArrayBuffer(4)) });
  }
}

/** The process's clock from configuration: TZ_BUREAU, plus DRBOT_TODAY when a test or trainer pins the date. */
export function clockFromConfig(
  config: { TZ_BUREAU: string; DRBOT_TODAY?: string },
  instant?: () => Date,
  offsetCell?: Int32Array,
): BureauClock {
  return new BureauClock({ timeZone: config.TZ_BUREAU, pinnedDate: config.DRBOT_TODAY, instant, offsetCell });
}
