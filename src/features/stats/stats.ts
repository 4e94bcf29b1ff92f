import { currentTeams } from "../../domain/draw/amend";
import type { DrawRecord } from "../../domain/draw/types";
import { formatBp, isProblem, rateBp } from "../../domain/results";
import type { Db, Prisma } from "../../store/db";
import { drawableInspectors } from "../draw/pool";
import { ACTIVE_STATUSES } from "../imports/kinds";

/** Minimum share of targets checked per item (national target). */
export const MIN_COVERAGE_BP = 300;

export interface ItemCoverage {
  itemCode: string;
  itemName: string;
  category: string;
  ratioBp: number;
  poolSize: number;
  drawn: number;
  coverageBp: number | null;
  meetsRatio: boolean;
  meetsMinimum: boolean;
}

export interface Stats {
  year: number;
  items: ItemCoverage[];
  confirmed: number;
  published: number;
  publicityRateBp: number | null;
  overduePublicity: number;
  problems: number;
  problemRateBp: number | null;
  overdueFollowUps: number;
  load: { inspectors: number; min: number; max: number; total: number };
}

/** The figures of `统计` / `drbot stats`: coverage per item, publicity, problems, follow-ups, load. */
export async function computeStats(db: Db | Prisma.TransactionClient, year: number, today: string): Promise<Stats> {
  const tasks = await db.task.findMany({ where: { year }, include: { draws: { where: { status: "revealed" }, select: { id: true, record: true } } } });
  const items = await db.item.findMany({ orderBy: { code: "asc" } });
  const drawIds = tasks.flatMap((t) => t.draws.map((d) => d.id));

  const coverage: ItemCoverage[] = [];
  for (const item of items) {
    const itemTasks = tasks.filter((t) => t.itemCode === item.code);
    if (itemTasks.length === 0) continue;
    const poolSize = await db.target.count({ where: { type: item.targetType, status: { in: [...ACTIVE_STATUSES] } } });
    const drawn = new Set(itemTasks.flatMap((t) => t.draws.flatMap((d) => (JSON.parse(d.record) as DrawRecord).selection.targets.map((x) => x.id)))).size;
    coverage.push({
      itemCode: item.code,
      itemName: item.name,
      category: item.category,
      ratioBp: item.ratioBp,
      poolSize,
      drawn,
      coverageBp: rateBp(drawn, poolSize),
      meetsRatio: drawn * 10000 >= item.ratioBp * poolSize,
      meetsMinimum: drawn * 10000 >= MIN_COVERAGE_BP * poolSize,
    });
  }

  const results = await db.result.findMany({ where: { drawId: { in: drawIds }, current: true, confirmedAt: { not: null } } });
  const published = results.filter((r) => r.publishedAt !== null).length;
  const problems = results.filter((r) => isProblem(r.category)).length;
  const overduePublicity = results.filter((r) => r.publishedAt === null && r.publicityDue !== null && r.publicityDue < today).length;
  const overdueFollowUps = await db.followUp.count({ where: { status: "open", dueDate: { lt: today }, result: { drawId: { in: drawIds } } } });

  const load = new Map((await drawableInspectors(db)).map((i) => [i.certNo, 0]));
  for (const t of tasks) {
    for (const d of t.draws) for (const team of currentTeams(JSON.parse(d.record) as DrawRecord)) for (const id of team.inspectorIds) load.set(id, (load.get(id) ?? 0) + 1);
  }
  const loads = [...load.values()];
  return {
    year,
    items: coverage,
    confirmed: results.length,
    published,
    publicityRateBp: rateBp(published, results.length),
    overduePublicity,
    problems,
    problemRateBp: rateBp(problems, results.length),
    overdueFollowUps,
    load: { inspectors: loads.length, min: loads.length ? Math.min(...loads) : 0, max: loads.length ? Math.max(...loads) : 0, total: loads.reduce((a, b) => a + b, 0) },
  };
}

/** The same figures as text (CLI; the chat card renders them as a card). */
export function formatStats(s: Stats): string {
  const lines = [`${s.year} 年度双随机抽查统计`, "", "一、各事项抽查覆盖率（目标：不低于事项比例，且不低于 3%）"];
  if (s.items.length === 0) lines.push("  （本年度计划中没有任务）");
  for (const i of s.items) {
    const mark = i.meetsRatio && i.meetsMinimum ? "达标" : "未达标";
    lines.push(`  ${i.itemCode} ${i.itemName}（${i.category}）：号池 ${i.poolSize} 户，已抽 ${i.drawn} 户，覆盖率 ${formatBp(i.coverageBp)}，比例要求 ${formatBp(i.ratioBp)}，${mark}`);
  }
  lines.push(
    "",
    `二、结果公示：已确认结果 ${s.confirmed} 条，已公示 ${s.published} 条，公示率 ${formatBp(s.publicityRateBp)}（目标 100%），逾期未公示 ${s.overduePublicity} 条`,
    `三、发现问题：${s.problems} 户，问题发现率 ${formatBp(s.problemRateBp)}`,
    `四、逾期未完成的后续处置：${s.overdueFollowUps} 件`,
    `五、执法人员任务量：在岗执法人员 ${s.load.inspectors} 名，共 ${s.load.total} 人次，每人最少 ${s.load.min}、最多 ${s.load.max}`,
  );
  return lines.join("\n");
}
