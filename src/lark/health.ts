import type { Db } from "../store/db";

/** /healthz's body (interface.md §3); "ok" answers 200, any other status 503. */
export interface Health {
  status: "ok" | "db" | "processing" | "backlog" | "ws";
  backlog: number;
  oldestPendingSeconds: number;
}

/** A ready event that has waited longer than this means processing is not keeping up. */
export const BACKLOG_LIMIT_SECONDS = 60;

/**
 * Events that are ready to run: how many, and since when the oldest waits. The one place that
 * defines "ready" (today: pending; a retry back-off column narrows it to those whose time has come).
 */
export async function readyBacklog(db: Db, now: Date): Promise<{ backlog: number; oldestPendingSeconds: number }> {
  const [row] = await db.$queryRaw<{ n: bigint | number; oldest: Date | number | string | null }[]>`
    SELECT COUNT(*) AS n, MIN("receivedAt") AS oldest FROM "InboxEvent" WHERE "status" = 'pending'`;
  const backlog = Number(row?.n ?? 0);
  const oldest = row?.oldest == null ? null : new Date(row.oldest);
  const oldestPendingSeconds = oldest && !Number.isNaN(oldest.getTime()) ? Math.max(0, Math.floor((now.getTime() - oldest.getTime()) / 1000)) : 0;
  return { backlog, oldestPendingSeconds: backlog === 0 ? 0 : oldestPendingSeconds };
}

export interface HealthDeps {
  db: Db;
  now: () => Date;
  /** The processing thread is running and making progress. */
  processingAlive: () => boolean;
  /** ws mode: the long connection has been down longer than its window. */
  wsDown?: () => boolean;
}

/** Database first (nothing else can be known without it), then processing, the backlog, the long connection. */
export async function healthOf(deps: HealthDeps): Promise<Health> {
  let b: { backlog: number; oldestPendingSeconds: number };
  try {
    b = await readyBacklog(deps.db, deps.now());
  } catch {
    return { status: "db", backlog: 0, oldestPendingSeconds: 0 };
  }
  if (!deps.processingAlive()) return { status: "processing", ...b };
  if (b.oldestPendingSeconds > BACKLOG_LIMIT_SECONDS) return { status: "backlog", ...b };
  if (deps.wsDown?.()) return { status: "ws", ...b };
  return { status: "ok", ...b };
}
