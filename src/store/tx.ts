import { isBusyError } from "./adapter";
import type { Db, Tx } from "./db";

/**
 * Transient failures of a whole transaction: SQLite's lock not obtained in time (P1008), Prisma not
 * starting the transaction within maxWait, or closing it on its timeout (P2028), a write conflict (P2034).
 */
function isTransient(e: unknown): boolean {
  const code = (e as { code?: string })?.code;
  return isBusyError(e) || code === "P1008" || code === "P2028" || code === "P2034";
}

export interface WriteTxOptions {
  /** Prisma's interactive-transaction timeout for one attempt (ms). */
  timeout?: number;
  /** How long one attempt may wait to start (ms). */
  maxWait?: number;
  /** Give up retrying once this much time has passed since the first attempt (ms). */
  budgetMs?: number;
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/**
 * One write transaction, re-run from the start when it failed only because another writer was busy.
 * Every writer uses it (card clicks, the inbox worker, the outbox, imports, CLI writes), so contention
 * delays a write instead of failing it. `fn` may run more than once: it must do nothing outside the
 * transaction that can't be repeated.
 */
export async function writeTx<T>(db: Db, fn: (tx: Tx) => Promise<T>, opts: WriteTxOptions = {}): Promise<T> {
  const started = Date.now();
  const budget = opts.budgetMs ?? 30_000;
  for (let attempt = 1; ; attempt++) {
    try {
      return await db.$transaction(fn, {
        timeout: opts.timeout ?? 10_000,
        maxWait: opts.maxWait ?? Math.min(budget, 10_000),
      });
    } catch (e) {
      if (!isTransient(e) || Date.now() - started + 10 * attempt > budget) throw e;
      await sleep(Math.min(5 * attempt, 100));
    }
  }
}
