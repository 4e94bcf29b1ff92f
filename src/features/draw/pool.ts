import Database from "better-sqlite3";
import { AppError } from "../../domain/errors";
import { perStratumCounts } from "../../domain/draw/counts";
import { makeParams, normalizePool } from "../../domain/draw/record";
import { excludesDrawn, withoutDrawnThisYear } from "../../domain/draw/routine";
import { STRATA, type DrawParams, type Pool, type PoolTarget, type Stratum } from "../../domain/draw/types";
import type { TaskRef } from "../../domain/draw/types";
import type { DbOrTx } from "../../store/db";
import { ACTIVE_STATUSES, splitList } from "../imports/kinds";

export interface FrozenInput {
  task: TaskRef;
  itemName: string;
  pool: Pool;
  params: DrawParams;
  /** Targets left out because they were drawn for the same 事项 earlier this 年度 (一般 items, §7). */
  excludedDrawn: number;
}

/** Who can be drawn as an inspector (interface.md §6): role 执法人员 and status 在岗. */
const DRAWABLE_STATUS = "在岗";
const isDrawable = (roles: string) => splitList(roles).includes("执法人员");

export async function drawableInspectors(db: DbOrTx) {
  const rows = await db.inspector.findMany({
    where: { status: DRAWABLE_STATUS },
    select: { certNo: true, unit: true, roles: true, specialties: true },
    orderBy: { certNo: "asc" },
  });
  return rows.filter((i) => isDrawable(i.roles));
}

/** Active draws block a new one: a committed draw awaits its witness, a revealed one is final. */
export const ACTIVE_DRAW_STATUSES = ["committed", "revealed"];

/** The file behind a Prisma client or transaction (SQLite's own answer, so it is the connection's file). */
export async function databaseFileOf(db: DbOrTx): Promise<string> {
  const rows = await db.$queryRawUnsafe<{ name: string; file: string }[]>("PRAGMA database_list");
  const main = rows.find((r) => r.name === "main");
  if (!main?.file) throw new AppError("NO_DATABASE_FILE", "号池只能从数据库文件读取");
  return main.file;
}

/**
 * Reads what a draw of this task would freeze: targets of the item's 对象类型 that are 存续/在业
 * (stratum = 风险等级) — for a 一般 item without those already drawn for the item this 年度 —,
 * inspectors with role 执法人员 and status 在岗 (only the joint units for a joint task), their
 * conflicts, and the pairs of the last finished draw of the same item.
 *
 * The pool can hold 100,000 targets, so it is read straight through better-sqlite3 (one read
 * transaction on its own read-only connection, only the columns the draw needs, rows as arrays):
 * going through Prisma cost three times the draw itself in time and 150 MB in memory.
 * `source` is the database file, or a Prisma client/transaction whose file is read.
 */
export async function readPool(source: string | DbOrTx, taskCode: string): Promise<FrozenInput> {
  const file = typeof source === "string" ? source : await databaseFileOf(source);
  const conn = new Database(file, { readonly: true, fileMustExist: true, timeout: 10_000 });
  try {
    conn.pragma(`cache_size = -${POOL_CACHE_KB}`); // one pass over the register: a large page cache is only memory
    return conn.transaction(() => readPoolIn(conn, taskCode))();
  } finally {
    conn.close();
  }
}

interface TaskRow {
  code: string;
  name: string;
  year: number;
  itemCode: string;
  ratioLowBp: number | null;
  ratioMidBp: number | null;
  ratioHighBp: number | null;
  inspectorsPerTarget: number;
  jointUnits: string;
}
interface ItemRow {
  code: string;
  name: string;
  category: string;
  targetType: string;
  ratioBp: number;
  requiredSpecialty: string | null;
}

const POOL_CACHE_KB = 2048;
const STRATUM_SET: ReadonlySet<string> = new Set(STRATA);

function readPoolIn(conn: Database.Database, taskCode: string): FrozenInput {
  // Task codes are case-insensitive (t2026-01 finds T2026-01): an exact match wins, else a single case-insensitive one.
  const columns = "code, name, year, itemCode, ratioLowBp, ratioMidBp, ratioHighBp, inspectorsPerTarget, jointUnits";
  const loose = conn
    .prepare(`SELECT ${columns} FROM Task WHERE code = ? COLLATE NOCASE LIMIT 2`)
    .all(taskCode) as TaskRow[];
  const task =
    (conn.prepare(`SELECT ${columns} FROM Task WHERE code = ?`).get(taskCode) as TaskRow | undefined) ??
    (loose.length === 1 ? loose[0] : undefined);
  if (!task)
    throw new AppError("TASK_NOT_FOUND", `找不到任务编号「${taskCode}」，请先导入年度抽查计划（drbot import plan）`);
  const item = conn
    .prepare(`SELECT code, name, category, targetType, ratioBp, requiredSpecialty FROM Item WHERE code = ?`)
    .get(task.itemCode) as ItemRow | undefined;
  if (!item) throw new AppError("ITEM_NOT_FOUND", `任务 ${taskCode} 的事项编码「${task.itemCode}」不在抽查事项清单中`);

  // Every target query below filters on the same "in the register's pool" condition, so no 100,000-id set is built.
  // CROSS JOIN fixes the loop order (few conflicts or assignments outside, a primary-key lookup inside):
  // without statistics SQLite may otherwise scan the conflicts once per target.
  const active = ACTIVE_STATUSES.map(() => "?").join(", ");
  const inRegister = `t.type = ? AND t.status IN (${active})`;
  const registerArgs = [item.targetType, ...ACTIVE_STATUSES];
  const all: PoolTarget[] = [];
  for (const [id, risk] of conn
    .prepare(`SELECT t.creditCode, t.risk FROM Target t WHERE ${inRegister}`)
    .raw()
    .iterate(...registerArgs) as IterableIterator<[string, string]>) {
    all.push({ id, stratum: (STRATUM_SET.has(risk) ? risk : "中") as Stratum });
  }
  const drawn = excludesDrawn(item.category)
    ? new Set(
        (
          conn
            .prepare(
              `SELECT DISTINCT a.targetId FROM Assignment a JOIN Draw d ON d.id = a.drawId JOIN Task k ON k.code = d.taskCode
               WHERE d.status = 'revealed' AND k.itemCode = ? AND k.year = ? AND d.taskCode <> ?`,
            )
            .raw()
            .all(item.code, task.year, task.code) as [string][]
        ).map((r) => r[0]),
      )
    : new Set<string>();
  const { targets, excluded } = withoutDrawnThisYear(item.category, all, drawn);

  const jointUnits = splitList(task.jointUnits);
  const inspectorRows = (
    conn
      .prepare(`SELECT certNo, unit, roles, specialties FROM Inspector WHERE status = ?`)
      .raw()
      .all(DRAWABLE_STATUS) as [string, string, string, string][]
  ).filter(([, unit, roles]) => isDrawable(roles) && (jointUnits.length === 0 || jointUnits.includes(unit)));
  const inspectorIds = new Set(inspectorRows.map((i) => i[0]));

  const conflicts = (
    conn
      .prepare(
        `SELECT c.certNo, c.creditCode FROM Conflict c CROSS JOIN Target t ON t.creditCode = c.creditCode WHERE ${inRegister}`,
      )
      .raw()
      .all(...registerArgs) as [string, string][]
  ).filter(([certNo, creditCode]) => inspectorIds.has(certNo) && !drawn.has(creditCode));

  const lastDraw = conn
    .prepare(
      `SELECT d.id FROM Draw d JOIN Task k ON k.code = d.taskCode WHERE d.status = 'revealed' AND k.itemCode = ? ORDER BY d.revealedAt DESC LIMIT 1`,
    )
    .pluck()
    .get(item.code) as string | undefined;
  const previousAssignments = lastDraw
    ? (
        conn
          .prepare(
            `SELECT a.targetId, a.inspectorId FROM Assignment a CROSS JOIN Target t ON t.creditCode = a.targetId WHERE a.drawId = ? AND a.status NOT IN ('recused', 'withdrawn') AND ${inRegister}`,
          )
          .raw()
          .all(lastDraw, ...registerArgs) as [string, string][]
      ).filter(([targetId, inspectorId]) => inspectorIds.has(inspectorId) && !drawn.has(targetId))
    : [];

  if (targets.length === 0) {
    const why = excluded > 0 ? `（${excluded} 户已在本年度该事项的抽取中被抽中，一般事项同一年度不重复抽查）` : "";
    throw new AppError(
      "EMPTY_POOL",
      `号池为空：名录库中没有对象类型为「${item.targetType}」且经营状态为存续/在业的检查对象${why}`,
    );
  }
  const pool = normalizePool({
    targets,
    inspectors: inspectorRows.map(([id, unit, , specialties]) => ({ id, unit, specialties: splitList(specialties) })),
    conflicts,
    previousAssignments,
  });
  const perStratum = perStratumCounts(pool.targets, {
    itemBp: item.ratioBp,
    planBp: { 低: task.ratioLowBp, 中: task.ratioMidBp, 高: task.ratioHighBp },
  });
  const params = makeParams({
    perStratum,
    inspectorsPerTarget: task.inspectorsPerTarget,
    requiredSpecialty: item.requiredSpecialty,
    jointUnits,
  });
  return {
    task: { code: task.code, name: task.name, itemCode: task.itemCode, year: task.year },
    itemName: item.name,
    pool,
    params,
    excludedDrawn: excluded,
  };
}
