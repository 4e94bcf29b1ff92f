import { clockFromConfig } from "../../src/clock";
import { shiftDays } from "../../src/domain/calendar";

/**
 * The bureau date the suite runs at, read exactly as the bot reads it (TZ_BUREAU, DRBOT_TODAY):
 * `DRBOT_TODAY=2027-06-01 npm test` moves the tests and the bot together. Never a literal date.
 */
export function bureauToday(): string {
  return clockFromConfig({ TZ_BUREAU: "Asia/Shanghai", DRBOT_TODAY: process.env.DRBOT_TODAY }).today();
}

export const bureauYear = (): number => Number(bureauToday().slice(0, 4));

/** A bureau date `days` from today. */
export const daysFromToday = (days: number): string => shiftDays(bureauToday(), days);
