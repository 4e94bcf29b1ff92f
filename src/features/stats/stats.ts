import { currentTeams } from "../../domain/draw/amend";
import { STRATA, type DrawRecord, type Stratum } from "../../domain/draw/types";
import { MIN_COVERAGE_BP } from "../../domain/plan";
import { publicityRate } from "../../domain/publicity";
import { formatBp, isProblem, rateBp } from "../../domain/results";
import { publicityText, type Coverage, type ItemCoverage, type Stats } from "../../domain/stats";
import type { DbOrTx } from "../../store/db";
import { drawableInspectors } from "../draw/pool";
import { ACTIVE_STATUSES } from "../imports/kinds";

export { MIN_COVERAGE_BP };

const coverage = (poolSize: number, drawn: number): Coverage => ({
  poolSize,
  drawn,
  coverageBp: rateBp(drawn, poolSize),
});

/** The figures of `统计` / `drbot stats`: coverage per item and risk level, publicity, problems, follow-ups, load. */
export async function computeStats(db: DbOrTx, year: number, today: string): Promise<Stats> {
  const tasks = await db.task.findMany({
    where: { year },
    orderBy: { code: "asc" },
    include: { draws: { where: { status: "revealed" }, select: { id: true, record: true } } },
  });
  const items = await db.item.findMany({ orderBy: { code: "asc" } });
  const records = new Map(
    tasks.flatMap((t) => t.draws.map((d) => [d.id, JSON.parse(d.record) as DrawRecord] as const)),
  );
  const drawIds = [...records.keys()];

  const items_: ItemCoverage[] = [];
  const yearRisk = new Map<Stratum, { pool: number; drawn: number }>(STRATA.map((s) => [s, { pool: 0, drawn: 0 }]));
  for (const item of items) {
    const itemTasks = tasks.filter((t) => t.itemCode === item.code);
    if (itemTasks.length === 0) continue;
    const pools = await db.target.groupBy({
      by: ["risk"],
      where: { type: item.targetType, status: { in: [...ACTIVE_STATUSES] } },
      _count: { _all: true },
    });
    const poolOf = (risk: string) => pools.find((p) => p.risk === risk)?._count._all ?? 0;
    const drawnByRisk = new Map<string, Set<string>>();
    for (const t of itemTasks) {
      for (const d of t.draws) {
        for (const x of records.get(d.id)!.selection.targets) {
          if (!drawnByRisk.has(x.stratum)) drawnByRisk.set(x.stratum, new Set());
          drawnByRisk.get(x.stratum)!.add(x.id);
        }
      }
    }
    const byRisk = STRATA.map((risk) => ({ risk, ...coverage(poolOf(risk), drawnByRisk.get(risk)?.size ?? 0) })).filter(
      (r) => r.poolSize > 0 || r.drawn > 0,
    );
    for (const r of byRisk) {
      yearRisk.get(r.risk)!.pool += r.poolSize;
      yearRisk.get(r.risk)!.drawn += r.drawn;
    }
    const poolSize = pools.reduce((a, p) => a + p._count._all, 0);
    const drawn = new Set([...drawnByRisk.values()].flatMap((s) => [...s])).size;
    items_.push({
      itemCode: item.code,
      itemName: item.name,
      category: item.category,
      ratioBp: item.ratioBp,
      ...coverage(poolSize, drawn),
      meetsRatio: drawn * 10000 >= item.ratioBp * poolSize,
      meetsMinimum: drawn * 10000 >= MIN_COVERAGE_BP * poolSize,
      byRisk,
    });
  }

  const results = await db.result.findMany({
    where: { drawId: { in: drawIds }, current: true, status: "confirmed", confirmedAt: { not: null } },
  });
  const facts = (rs: typeof results) => rs.map((r) => ({ due: r.publicityDue, publishedOn: r.publishedOn }));
  const publicity = publicityRate(facts(results), today);
  const publicityByTask = tasks
    .filter((t) => t.draws.length > 0)
    .map((t) => {
      const ids = new Set(t.draws.map((d) => d.id));
      const mine = results.filter((r) => ids.has(r.drawId));
      return { taskCode: t.code, taskName: t.name, confirmed: mine.length, ...publicityRate(facts(mine), today) };
    });
  const problems = results.filter((r) => isProblem(r.category)).length;
  const followUpWhere = { status: "open", result: { drawId: { in: drawIds } } };
  const openFollowUps = await db.followUp.count({ where: followUpWhere });
  const overdueFollowUps = await db.followUp.count({ where: { ...followUpWhere, dueDate: { lt: today } } });

  const people = await drawableInspectors(db);
  const names = new Map(
    (await db.inspector.findMany({ select: { certNo: true, name: true } })).map((i) => [i.certNo, i.name]),
  );
  const load = new Map(people.map((i) => [i.certNo, 0]));
  for (const record of records.values())
    for (const team of currentTeams(record)) for (const id of team.inspectorIds) load.set(id, (load.get(id) ?? 0) + 1);
  const loads = [...load.values()];
  return {
    year,
    today,
    items: items_,
    byRisk: STRATA.map((risk) => ({ risk, ...coverage(yearRisk.get(risk)!.pool, yearRisk.get(risk)!.drawn) })).filter(
      (r) => r.poolSize > 0,
    ),
    confirmed: results.length,
    publicity,
    publicityByTask,
    published: publicity.published,
    publicityRateBp: publicity.rateBp,
    overduePublicity: publicity.overdue,
    problems,
    problemRateBp: rateBp(problems, results.length),
    openFollowUps,
    overdueFollowUps,
    load: {
      inspectors: loads.length,
      min: loads.length ? Math.min(...loads) : 0,
      max: loads.length ? Math.max(...loads) : 0,
      total: loads.reduce((a, b) => a + b, 0),
      perInspector: [...load.entries()]
        .map(([certNo, count]) => ({ certNo, name: names.get(certNo) ?? certNo, count }))
        .sort((a, b) => b.count - a.count || a.certNo.localeCompare(b.certNo)),
    },
  };
}

const coverageText = (c: Coverage) => `${c.drawn}/${c.poolSize} 户，覆盖率 ${formatBp(c.coverageBp)}`;

/** The same figures as text (CLI; the chat card renders them as a card with charts). */
export function formatStats(s: Stats): string {
  const lines = [
    `${s.year} 年度双随机抽查统计（截至 ${s.today}）`,
    "",
    "一、各事项抽查覆盖率（目标：不低于事项比例，且不低于 3%）",
  ];
  if (s.items.length === 0) lines.push("  （本年度计划中没有任务）");
  for (const i of s.items) {
    const mark = i.meetsRatio && i.meetsMinimum ? "达标" : "未达标";
    lines.push(
      `  ${i.itemCode} ${i.itemName}（${i.category}）：号池 ${i.poolSize} 户，已抽 ${i.drawn} 户，覆盖率 ${formatBp(i.coverageBp)}，比例要求 ${formatBp(i.ratioBp)}，${mark}`,
    );
    for (const r of i.byRisk) lines.push(`    ${r.risk}风险：${coverageText(r)}`);
  }
  lines.push("  按风险等级合计：" + (s.byRisk.map((r) => `${r.risk}风险 ${coverageText(r)}`).join("；") || "—"));
  lines.push("", `二、结果公示（目标 100%）：已确认结果 ${s.confirmed} 条，公示率 ${publicityText(s.publicity)}`);
  for (const t of s.publicityByTask)
    lines.push(`  ${t.taskCode} ${t.taskName}：已确认 ${t.confirmed} 条，公示率 ${publicityText(t)}`);
  lines.push(
    "",
    `三、发现问题：${s.problems} 户，问题发现率 ${formatBp(s.problemRateBp)}（${s.problems}/${s.confirmed}）`,
    `四、后续处置：未办结 ${s.openFollowUps} 件，其中逾期 ${s.overdueFollowUps} 件`,
    `五、执法人员任务量：在岗执法人员 ${s.load.inspectors} 名，共 ${s.load.total} 人次，每人最少 ${s.load.min}、最多 ${s.load.max}`,
  );
  const busy = s.load.perInspector.filter((p) => p.count > 0);
  if (busy.length) lines.push("  " + busy.map((p) => `${p.name} ${p.count}`).join("，"));
  return lines.join("\n");
}
