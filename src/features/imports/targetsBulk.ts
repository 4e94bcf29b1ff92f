import type Database from "better-sqlite3";
import { canonicalJson } from "../../domain/canonical";
import { appendAuditSync } from "../../store/audit";
import { immediateTx, openRawWriter, readTx, sqliteInstant } from "../../store/rawTx";
import type { Values } from "./appliers";

/**
 * 检查对象名录库, the list that runs to 100,000s of rows, written straight through better-sqlite3
 * (as the draw reads its pool, see draw/pool.ts): prepared statements, no ORM objects, no Prisma
 * client loaded. The diff against what is stored is read first on a snapshot, outside the lock; the
 * writes, the revisions and the audit entry then go in ONE short `BEGIN IMMEDIATE` transaction, all
 * or nothing. Only imports write Target (inserts, and updates that bump `version`), so row count and
 * version sum tell whether another import wrote in between; then the diff is read again under the lock.
 *
 * PostgreSQL path: see store/rawTx.ts (COPY into a temporary table, then INSERT … ON CONFLICT with the
 * revision rows from a `RETURNING` of the old values, in one transaction).
 */

const TARGET_FIELDS = [
  "creditCode",
  "name",
  "type",
  "status",
  "risk",
  "address",
  "legalRep",
  "phone",
  "region",
] as const;
export type TargetRecord = Record<(typeof TARGET_FIELDS)[number], string>;
type Stored = TargetRecord & { version: number };

const s = (v: Values, k: string) => v[k] as string;
/**
 * Columns that repeat a few short values (对象类型, 经营状态, 风险等级, 所属区域) share one string per
 * value across the 100,000 records held until the write (~10 MB less). Bounded, as it outlives an import.
 */
const shared = new Map<string, string>();
function intern(v: Values, k: string): string {
  const x = s(v, k);
  const known = shared.get(x);
  if (known !== undefined) return known;
  if (x.length <= 32 && shared.size < 2_000) shared.set(x, x);
  return x;
}
export const targetRecord = (v: Values): TargetRecord => ({
  creditCode: s(v, "统一社会信用代码"),
  name: s(v, "名称"),
  type: intern(v, "对象类型"),
  status: intern(v, "经营状态"),
  risk: intern(v, "风险等级"),
  address: s(v, "地址"),
  legalRep: s(v, "法定代表人"),
  phone: s(v, "联系电话"),
  region: intern(v, "所属区域"),
});

export interface TargetWrite {
  fileName: string;
  fileSha256: string;
  actor: string;
  at: Date;
}

interface Diff {
  fresh: TargetRecord[];
  changed: { before: Stored; record: TargetRecord }[];
  same: number;
}

const columns = TARGET_FIELDS.map((c) => `"${c}"`).join(", ");

function diff(conn: Database.Database, records: readonly { record: TargetRecord }[]): Diff {
  const find = conn.prepare(`SELECT ${columns}, "version" FROM "Target" WHERE "creditCode" = ?`);
  const d: Diff = { fresh: [], changed: [], same: 0 };
  for (const { record } of records) {
    const before = find.get(record.creditCode) as Stored | undefined;
    if (!before) d.fresh.push(record);
    else if (TARGET_FIELDS.every((f) => before[f] === record[f])) d.same++;
    else d.changed.push({ before, record });
  }
  return d;
}

/** Changes whenever another import inserts a target or changes one (each change bumps its version). */
function fingerprint(conn: Database.Database): string {
  const r = conn.prepare(`SELECT count(*) AS n, total("version") AS v FROM "Target"`).get() as { n: number; v: number };
  return `${r.n}:${r.v}`;
}

function write(conn: Database.Database, d: Diff, w: TargetWrite, rows: number): void {
  const now = sqliteInstant(new Date());
  // Named parameters bound straight from each record: no arrays made per row (100,000 of them).
  const insert = conn.prepare(
    `INSERT INTO "Target" (${columns}, "version", "createdAt", "updatedAt") VALUES (${TARGET_FIELDS.map((f) => `@${f}`).join(", ")}, 1, '${now}', '${now}')`,
  );
  // A row created meanwhile by someone else fails the insert (primary key): the whole import rolls back.
  for (const r of d.fresh) insert.run(r);
  // A changed target keeps its old content as a revision, so results and exports of earlier draws stay true.
  const revision = conn.prepare(
    `INSERT INTO "TargetRevision" ("creditCode", "version", "snapshot", "replacedAt") VALUES (?, ?, ?, ?)`,
  );
  const update = conn.prepare(
    `UPDATE "Target" SET ${TARGET_FIELDS.slice(1)
      .map((f) => `"${f}" = ?`)
      .join(", ")}, "version" = ?, "updatedAt" = ? WHERE "creditCode" = ?`,
  );
  const replacedAt = sqliteInstant(w.at);
  for (const { before, record } of d.changed) {
    const snapshot = Object.fromEntries(TARGET_FIELDS.map((f) => [f, before[f] ?? null]));
    revision.run(record.creditCode, before.version, canonicalJson(snapshot), replacedAt);
    update.run(...TARGET_FIELDS.slice(1).map((f) => record[f]), before.version + 1, now, record.creditCode);
  }
  appendAuditSync(conn, {
    at: w.at,
    actor: w.actor,
    action: "import.targets",
    entity: "targets",
    entityId: w.fileSha256,
    data: {
      fileName: w.fileName,
      fileSha256: w.fileSha256,
      rows,
      created: d.fresh.map((r) => r.creditCode),
      updated: d.changed.map((c) => c.record.creditCode),
      unchanged: d.same,
    },
  });
}

/** Writes validated rows into the SQLite file; returns the counts for the report. */
export async function writeTargets(
  file: string,
  records: readonly { record: TargetRecord }[],
  w: TargetWrite,
): Promise<{ created: number; updated: number; unchanged: number }> {
  const conn = await openRawWriter(file);
  try {
    // better-sqlite3's default page cache is 16 MB; the inserts come in key order and need far less.
    conn.pragma("cache_size = -2048");
    const read = readTx(conn, () => ({ seen: fingerprint(conn), d: diff(conn, records) }));
    return await immediateTx(conn, () => {
      const d = fingerprint(conn) === read.seen ? read.d : diff(conn, records);
      write(conn, d, w, records.length);
      return { created: d.fresh.length, updated: d.changed.length, unchanged: d.same };
    });
  } finally {
    conn.close();
  }
}
