import type Database from "better-sqlite3";
import { AppError } from "../domain/errors";

/**
 * Write transactions on a raw better-sqlite3 connection, for bulk paths that skip Prisma (an import of
 * 100,000 targets: the ORM's per-row work and its ~140 MB client dominated the import). Same lock
 * discipline as adapter.ts, so the two kinds of writer serialise on SQLite's one write lock:
 *  - `BEGIN IMMEDIATE`, waited for asynchronously (the connection has timeout 0, so SQLite never sleeps
 *    inside the call and the event loop keeps running while another connection holds the lock);
 *  - `fn` runs synchronously between BEGIN IMMEDIATE and COMMIT: nothing else in this thread interleaves,
 *    and the lock is held exactly as long as the SQL takes; any throw rolls everything back.
 *
 * PostgreSQL path (not built): the same shape on `pg` — one `BEGIN` … `COMMIT` on a pooled client, the
 * rows sent with `COPY … FROM STDIN` into a temporary table and merged with `INSERT … ON CONFLICT DO
 * UPDATE`, the audit chain's head taken with `SELECT … FOR UPDATE` (or a transaction-scoped advisory
 * lock) instead of SQLite's single writer.
 */

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** An instant as Prisma's SQLite adapter stores a DateTime (iso8601, "+00:00"), so Prisma reads it back unchanged. */
export const sqliteInstant = (d: Date): string => d.toISOString().replace("Z", "+00:00");

function isBusy(e: unknown): boolean {
  return /^SQLITE_BUSY/.test(String((e as { code?: string })?.code ?? ""));
}

/** Opens a connection for raw writes: the lock is waited for by `immediateTx`, never inside SQLite. */
export async function openRawWriter(file: string): Promise<Database.Database> {
  const { default: Sqlite } = await import("better-sqlite3");
  return new Sqlite(file, { fileMustExist: true, timeout: 0 });
}

export async function immediateTx<T>(conn: Database.Database, fn: () => T, lockWaitMs = 60_000): Promise<T> {
  const deadline = Date.now() + lockWaitMs;
  for (let attempt = 0; ; attempt++) {
    try {
      conn.exec("BEGIN IMMEDIATE");
      break;
    } catch (e) {
      if (!isBusy(e)) throw e;
      if (Date.now() > deadline)
        throw new AppError("BUSY", "数据库正忙（另一个写入长时间未结束），请稍后重试。未写入任何数据。");
    }
    await sleep(Math.min(1 + attempt, 20));
  }
  try {
    const result = fn();
    conn.exec("COMMIT");
    return result;
  } catch (e) {
    if (conn.inTransaction) conn.exec("ROLLBACK");
    throw e;
  }
}

/** A read of several statements on one snapshot (WAL: it never waits for, nor blocks, the writer). */
export function readTx<T>(conn: Database.Database, fn: () => T): T {
  return conn.transaction(fn).deferred();
}
