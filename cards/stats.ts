import { formatBp } from "../src/domain/results";
import { publicityText, type Stats } from "../src/domain/stats";
import { card, esc, hr, md, type Card, type Element } from "./kit";

const pct = (bp: number | null) => (bp === null ? 0 : bp / 100);

/**
 * A Card JSON 2.0 `chart` (VChart spec). Charts are used where a picture reads better than a
 * table: coverage against the ratio per item, and the load per inspector.
 */
export function chart(spec: Record<string, unknown>): Element {
  return { tag: "chart", aspect_ratio: "16:9", chart_spec: spec };
}

/** Grouped bars: each item's coverage, its ratio, and the 3% floor, in percent. */
export function coverageChart(s: Stats): Element {
  const values = s.items.flatMap((i) => [
    { item: i.itemName, kind: "覆盖率", value: pct(i.coverageBp) },
    { item: i.itemName, kind: "抽查比例", value: i.ratioBp / 100 },
    { item: i.itemName, kind: "3%底线", value: 3 },
  ]);
  return chart({
    type: "bar",
    title: { text: "各事项抽查覆盖率（%）" },
    data: [{ id: "coverage", values }],
    xField: ["item", "kind"],
    yField: "value",
    seriesField: "kind",
    legends: { visible: true },
    label: { visible: true },
  });
}

export function loadChart(s: Stats): Element {
  return chart({
    type: "bar",
    title: { text: "执法人员任务量（户次）" },
    data: [{ id: "load", values: s.load.perInspector.map((p) => ({ name: p.name, count: p.count })) }],
    xField: "name",
    yField: "count",
    label: { visible: true },
  });
}

/** `统计`: the figures of `drbot stats`, with charts where they read better. */
export function statsCard(s: Stats): Card {
  const elements: Element[] = [];
  if (s.items.length === 0) elements.push(md("（本年度计划中没有任务）"));
  else {
    elements.push(md("**一、各事项抽查覆盖率**（要求：不低于事项比例，且不低于 3%）"));
    for (const i of s.items) {
      const risks = i.byRisk.map((r) => `${r.risk} ${r.drawn}/${r.poolSize}（${formatBp(r.coverageBp)}）`).join("｜");
      elements.push(
        md(
          `${i.meetsRatio && i.meetsMinimum ? "✅" : "⚠️"} **${esc(i.itemCode)}** ${esc(i.itemName)}（${esc(i.category)}）：${i.drawn}/${i.poolSize} 户，**${formatBp(i.coverageBp)}**（比例 ${formatBp(i.ratioBp)}）\n按风险等级：${risks || "—"}`,
        ),
      );
    }
    elements.push(coverageChart(s));
    if (s.byRisk.length)
      elements.push(
        md(
          `按风险等级合计：${s.byRisk.map((r) => `${r.risk}风险 ${r.drawn}/${r.poolSize}（${formatBp(r.coverageBp)}）`).join("；")}`,
        ),
      );
  }
  elements.push(hr(), md(`**二、结果公示率**（目标 100%）：**${publicityText(s.publicity)}**`));
  if (s.publicityByTask.length)
    elements.push(
      md(
        s.publicityByTask
          .map(
            (t) =>
              `${esc(t.taskCode)} ${esc(t.taskName)}：${formatBp(t.rateBp)}（按期 ${t.onTime}，已公示 ${t.published}，逾期未公示 ${t.overdue}）`,
          )
          .join("\n"),
      ),
    );
  elements.push(
    hr(),
    md(
      [
        `**三、问题发现率** ${formatBp(s.problemRateBp)}（${s.problems}/${s.confirmed} 户）`,
        `**四、后续处置** 未办结 ${s.openFollowUps} 件，其中逾期 ${s.overdueFollowUps} 件`,
        `**五、执法人员任务量** 在岗 ${s.load.inspectors} 人，共 ${s.load.total} 人次，每人最少 ${s.load.min}、最多 ${s.load.max}`,
      ].join("\n"),
    ),
  );
  if (s.load.total > 0) elements.push(loadChart(s));
  const warn = s.items.some((i) => !i.meetsMinimum) || s.publicity.overdue > 0 || s.overdueFollowUps > 0;
  return card(`${s.year} 年度统计`, warn ? "orange" : "blue", elements, `截至 ${s.today}`);
}
