import { canonicalJson, sha256Hex } from "../domain/canonical";
import type Database from "better-sqlite3";
import type { DbOrTx } from "./db";
import { sqliteInstant } from "./rawTx";

export interface AuditEntry {
  at: Date;
  actor: string; // open_id, "cli", "system"
  action: string; // e.g. import.targets, draw.commit
  entity: string;
  entityId: string;
  data: unknown; // canonical-JSON-able: strings, integers, booleans, null, arrays, objects
}

const GENESIS_HASH = "0".repeat(64);

function entryHash(
  prevHash: string,
  e: { at: string; actor: string; action: string; entity: string; entityId: string; data: string },
): string {
  return sha256Hex(
    prevHash +
      canonicalJson({
        at: e.at,
        actor: e.actor,
        action: e.action,
        entity: e.entity,
        entityId: e.entityId,
        data: e.data,
      }),
  );
}

/** The stored columns of an entry that its hash covers. */
const rowOf = (entry: AuditEntry) => ({
  at: entry.at.toISOString(),
  actor: entry.actor,
  action: entry.action,
  entity: entry.entity,
  entityId: entry.entityId,
  data: canonicalJson(entry.data),
});

/**
 * Appends one entry to the hash chain (全程留痕). Call it inside the transaction that makes the
 * change, so the change and its trail commit together; SQLite serializes writers, so the chain
 * cannot fork.
 */
export async function appendAudit(tx: DbOrTx, entry: AuditEntry): Promise<string> {
  const last = await tx.auditLog.findFirst({ orderBy: { seq: "desc" }, select: { hash: true } });
  const prevHash = last?.hash ?? GENESIS_HASH;
  const row = rowOf(entry);
  const hash = entryHash(prevHash, row);
  await tx.auditLog.create({ data: { ...row, at: entry.at, prevHash, hash } });
  return hash;
}

/**
 * appendAudit on a raw better-sqlite3 connection, inside its `immediateTx` (bulk paths without Prisma):
 * the same row and the same chain, read and extended under the same write lock.
 */
export function appendAuditSync(conn: Database.Database, entry: AuditEntry): string {
  const last = conn.prepare(`SELECT "hash" FROM "AuditLog" ORDER BY "seq" DESC LIMIT 1`).get() as
    { hash: string } | undefined;
  const prevHash = last?.hash ?? GENESIS_HASH;
  const row = rowOf(entry);
  const hash = entryHash(prevHash, row);
  conn
    .prepare(
      `INSERT INTO "AuditLog" ("at", "actor", "action", "entity", "entityId", "data", "prevHash", "hash") VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
    )
    .run(sqliteInstant(entry.at), row.actor, row.action, row.entity, row.entityId, row.data, prevHash, hash);
  return hash;
}

/** The chain's head (last sequence number and its hash), null while the log is empty: posted weekly (§9). */
export async function auditHead(tx: DbOrTx): Promise<{ seq: number; hash: string } | null> {
  return tx.auditLog.findFirst({ orderBy: { seq: "desc" }, select: { seq: true, hash: true } });
}

/** Walks the chain; returns the first broken sequence number, or null when every link holds. */
export async function verifyAuditChain(db: DbOrTx): Promise<{ ok: boolean; entries: number; brokenAt: number | null }> {
  let prev = GENESIS_HASH;
  let entries = 0;
  for (let after = 0; ;) {
    const page = await db.auditLog.findMany({ where: { seq: { gt: after } }, orderBy: { seq: "asc" }, take: 1000 });
    if (page.length === 0) return { ok: true, entries, brokenAt: null };
    for (const r of page) {
      const want = entryHash(prev, {
        at: r.at.toISOString(),
        actor: r.actor,
        action: r.action,
        entity: r.entity,
        entityId: r.entityId,
        data: r.data,
      });
      if (r.prevHash !== prev || r.hash !== want) return { ok: false, entries, brokenAt: r.seq };
      prev = r.hash;
      entries++;
    }
    after = page[page.length - 1]!.seq;
  }
}
