import type { Db } from "../store/db";
import { readyBacklog } from "./inbox";

/** /healthz's body (interface.md §3); "ok" answers 200, any other status 503. */
export interface Health {
  status: "ok" | "db" | "processing" | "backlog" | "ws";
  backlog: number;
  oldestPendingSeconds: number;
}

/** A ready event that has waited longer than this means processing is not keeping up. */
const BACKLOG_LIMIT_SECONDS = 60;

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
