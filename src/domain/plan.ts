/** The annual plan made public (一公开 of the plan): versions, what changed, and the 3% floor. Pure. */
import { stratumCount } from "./draw/counts";
import { STRATA, type Stratum } from "./draw/types";
import { ratioBpHalfUp } from "./publicity";

/** Minimum share of an item's targets a task should check (the seed's floor). */
export const MIN_COVERAGE_BP = 300;

/** One task as the plan states it (what a plan version keeps). */
export interface PlanTask {
  code: string;
  name: string;
  itemCode: string;
  startDate: string;
  endDate: string;
  ratioLowBp: number | null;
  ratioMidBp: number | null;
  ratioHighBp: number | null;
  inspectorsPerTarget: number;
  jointUnits: string;
}

export const PLAN_FIELDS: Record<Exclude<keyof PlanTask, "code">, string> = {
  name: "任务名称",
  itemCode: "事项编码",
  startDate: "开始日期",
  endDate: "结束日期",
  ratioLowBp: "低风险比例",
  ratioMidBp: "中风险比例",
  ratioHighBp: "高风险比例",
  inspectorsPerTarget: "每户检查人数",
  jointUnits: "联合单位",
};

export interface PlanChanges {
  added: string[];
  removed: string[];
  changed: { code: string; fields: { field: string; label: string; before: unknown; after: unknown }[] }[];
}

/** What changed from one version of a year's plan to the next, by 任务编号. */
export function diffPlans(before: readonly PlanTask[], after: readonly PlanTask[]): PlanChanges {
  const old = new Map(before.map((t) => [t.code, t]));
  const now = new Map(after.map((t) => [t.code, t]));
  const changed: PlanChanges["changed"] = [];
  for (const t of after) {
    const b = old.get(t.code);
    if (!b) continue;
    const fields = (Object.keys(PLAN_FIELDS) as (keyof typeof PLAN_FIELDS)[])
      .filter((f) => (b[f] ?? null) !== (t[f] ?? null))
      .map((f) => ({ field: f, label: PLAN_FIELDS[f], before: b[f] ?? null, after: t[f] ?? null }));
    if (fields.length) changed.push({ code: t.code, fields });
  }
  return {
    added: after.filter((t) => !old.has(t.code)).map((t) => t.code),
    removed: before.filter((t) => !now.has(t.code)).map((t) => t.code),
    changed,
  };
}

export const noChanges = (c: PlanChanges) => c.added.length + c.removed.length + c.changed.length === 0;

export interface TaskCoverage {
  poolSize: number;
  expected: number;
  /** expected ÷ pool, basis points rounded half-up; null for an empty pool. */
  coverageBp: number | null;
  belowFloor: boolean;
}

/**
 * How many targets a task would check (the draw's own per-stratum count: the plan's ratio for a
 * level, else the item's) against its item's pool, and whether that is under the 3% floor.
 */
export function taskCoverage(
  poolByRisk: Partial<Record<Stratum, number>>,
  itemBp: number,
  t: Pick<PlanTask, "ratioLowBp" | "ratioMidBp" | "ratioHighBp">,
): TaskCoverage {
  const planBp: Record<Stratum, number | null> = { 低: t.ratioLowBp, 中: t.ratioMidBp, 高: t.ratioHighBp };
  let poolSize = 0;
  let expected = 0;
  for (const s of STRATA) {
    const n = poolByRisk[s] ?? 0;
    poolSize += n;
    expected += stratumCount(n, planBp[s] ?? itemBp);
  }
  const coverageBp = ratioBpHalfUp(expected, poolSize);
  return { poolSize, expected, coverageBp, belowFloor: poolSize > 0 && expected * 10000 < MIN_COVERAGE_BP * poolSize };
}
