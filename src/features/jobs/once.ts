import type { DbOrTx } from "../../store/db";

/** Prisma's own text form of a DateTime in SQLite, so rows written here read back like any other. */
const sqliteInstant = (d: Date) => d.toISOString().replace("Z", "+00:00");

/**
 * Claims the once-only key (job, recipient, day). The insert is the first write of its transaction and
 * the unique index decides: true for the one caller that inserted it, false for every later one — a
 * restart, a second process, `drbot jobs run` or a clock moved back and forth.
 */
export async function claimOnce(
  tx: DbOrTx,
  key: { job: string; recipient: string; day: string },
  outboxKey: string,
  now: Date,
): Promise<boolean> {
  const inserted =
    await tx.$executeRaw`INSERT INTO "JobSend" ("job", "recipient", "day", "outboxKey", "at") VALUES (${key.job}, ${key.recipient}, ${key.day}, ${outboxKey}, ${sqliteInstant(now)}) ON CONFLICT ("job", "recipient", "day") DO NOTHING`;
  return inserted === 1;
}
