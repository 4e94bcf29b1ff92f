import { AppError } from "../../domain/errors";
import { perStratumCounts } from "../../domain/draw/counts";
import { makeParams, normalizePool } from "../../domain/draw/record";
import { STRATA, type DrawParams, type Pool, type Stratum, type TaskRef } from "../../domain/draw/types";
import type { Db, Prisma } from "../../store/db";
import { ACTIVE_STATUSES, splitList } from "../imports/kinds";

type Reader = Db | Prisma.TransactionClient;

export interface FrozenInput {
  task: TaskRef;
  itemName: string;
  pool: Pool;
  params: DrawParams;
}

/** Who can be drawn as an inspector (interface.md §6): role 执法人员 and status 在岗. */
export async function drawableInspectors(db: Reader) {
  const rows = await db.inspector.findMany({ where: { status: "在岗" }, select: { certNo: true, unit: true, roles: true, specialties: true }, orderBy: { certNo: "asc" } });
  return rows.filter((i) => splitList(i.roles).includes("执法人员"));
}

/** Active draws block a new one: a committed draw awaits its witness, a revealed one is final. */
export const ACTIVE_DRAW_STATUSES = ["committed", "revealed"];

/**
 * Reads what a draw of this task would freeze: targets of the item's 对象类型 that are 存续/在业
 * (stratum = 风险等级), inspectors with role 执法人员 and status 在岗 (only the joint units for a joint
 * task), their conflicts, and the pairs of the last finished draw of the same item.
 */
export async function readPool(db: Reader, taskCode: string): Promise<FrozenInput> {
  const task = await db.task.findUnique({ where: { code: taskCode } });
  if (!task) throw new AppError("TASK_NOT_FOUND", `找不到任务编号「${taskCode}」，请先导入年度抽查计划（drbot import plan）`);
  const item = await db.item.findUnique({ where: { code: task.itemCode } });
  if (!item) throw new AppError("ITEM_NOT_FOUND", `任务 ${taskCode} 的事项编码「${task.itemCode}」不在抽查事项清单中`);

  const targetRows = await db.target.findMany({
    where: { type: item.targetType, status: { in: [...ACTIVE_STATUSES] } },
    select: { creditCode: true, risk: true },
  });
  const jointUnits = splitList(task.jointUnits);
  const inspectorRows = (await drawableInspectors(db)).filter((i) => jointUnits.length === 0 || jointUnits.includes(i.unit));
  const targetIds = new Set(targetRows.map((t) => t.creditCode));
  const inspectorIds = new Set(inspectorRows.map((i) => i.certNo));

  const conflicts = (await db.conflict.findMany({ select: { certNo: true, creditCode: true } }))
    .filter((c) => inspectorIds.has(c.certNo) && targetIds.has(c.creditCode))
    .map((c) => [c.certNo, c.creditCode] as [string, string]);

  const lastDraw = await db.draw.findFirst({
    where: { status: "revealed", task: { itemCode: item.code } },
    orderBy: { revealedAt: "desc" },
    select: { id: true },
  });
  const previousAssignments = lastDraw
    ? (await db.assignment.findMany({ where: { drawId: lastDraw.id, status: { notIn: ["recused", "withdrawn"] } }, select: { targetId: true, inspectorId: true } }))
        .filter((a) => targetIds.has(a.targetId) && inspectorIds.has(a.inspectorId))
        .map((a) => [a.targetId, a.inspectorId] as [string, string])
    : [];

  const pool = normalizePool({
    targets: targetRows.map((t) => ({ id: t.creditCode, stratum: ((STRATA as readonly string[]).includes(t.risk) ? t.risk : "中") as Stratum })),
    inspectors: inspectorRows.map((i) => ({ id: i.certNo, unit: i.unit, specialties: splitList(i.specialties) })),
    conflicts,
    previousAssignments,
  });
  if (pool.targets.length === 0) {
    throw new AppError("EMPTY_POOL", `号池为空：名录库中没有对象类型为「${item.targetType}」且经营状态为存续/在业的检查对象`);
  }
  const perStratum = perStratumCounts(pool.targets, {
    itemBp: item.ratioBp,
    planBp: { 低: task.ratioLowBp, 中: task.ratioMidBp, 高: task.ratioHighBp },
  });
  const params = makeParams({ perStratum, inspectorsPerTarget: task.inspectorsPerTarget, requiredSpecialty: item.requiredSpecialty, jointUnits });
  return { task: { code: task.code, name: task.name, itemCode: task.itemCode, year: task.year }, itemName: item.name, pool, params };
}
