import { describe, expect, it } from "vitest";
import { cardBytes, MAX_CARD_BYTES } from "../../cards/kit";
import { PUBLICITY_PAGE_SIZE, publicityCard } from "../../cards/publicity";
import { statsCard } from "../../cards/stats";
import type { DueRow } from "../../src/domain/publicity";
import { statsFixture } from "./fixtures";

const row = (k: number): DueRow => ({
  resultId: k,
  drawId: "T2026-01-1",
  taskCode: "T2026-01",
  taskName: "2026年道路货运经营者双随机抽查".repeat(2),
  creditCode: `91330122MA2${String(k).padStart(6, "0")}X`,
  targetName: `某某物流有限公司${k}`.repeat(2),
  category: "发现问题待后续处理",
  corrected: k % 5 === 0,
  confirmedOn: "2026-11-01",
  due: "2026-11-29",
  daysLeft: k % 3 === 0 ? -2 : 4,
});

type El = {
  tag: string;
  name?: string;
  elements?: El[];
  behaviors?: { value: Record<string, unknown> }[];
  chart_spec?: Record<string, unknown>;
  initial_date?: string;
};
const flat = (els: El[]): El[] => els.flatMap((e) => [e, ...flat(e.elements ?? [])]);

describe("公示 card", () => {
  const rows = Array.from({ length: 3 * PUBLICITY_PAGE_SIZE + 1 }, (_, k) => row(k + 1));

  it("pages the list; 全部标记 speaks for every page; every page stays within Feishu's limits", () => {
    for (const page of [0, 1, 3]) {
      const c = publicityCard({ rows, page, today: "2026-12-02", asOf: "2026-12-02T02:00:00.000Z" });
      const els = flat(c.body.elements as El[]);
      expect(cardBytes(c)).toBeLessThan(MAX_CARD_BYTES);
      expect(els.length).toBeLessThan(200);
      const marks = els.filter((e) => e.behaviors?.[0]?.value["action"] === "publicity.mark");
      expect(marks).toHaveLength(page === 3 ? 1 : PUBLICITY_PAGE_SIZE);
      const all = els.find((e) => e.behaviors?.[0]?.value["action"] === "publicity.markAll")!;
      expect(all.behaviors![0]!.value).toMatchObject({ asOf: "2026-12-02T02:00:00.000Z" });
      expect(JSON.stringify(c)).toContain(`全部标记（${rows.length} 条）`);
      // Form components need card-unique names.
      const names = els.filter((e) => e.name).map((e) => e.name);
      expect(new Set(names).size).toBe(names.length);
      expect(els.filter((e) => e.tag === "date_picker").every((e) => e.initial_date === "2026-12-02")).toBe(true);
    }
    expect(JSON.stringify(publicityCard({ rows, page: 99, today: "2026-12-02", asOf: "x" }))).toContain("第 4 / 4 页");
    expect(JSON.stringify(publicityCard({ rows: [], page: 0, today: "2026-12-02", asOf: "x" }))).toContain(
      "没有待公示",
    );
  });
});

describe("统计 card", () => {
  it("has Card 2.0 charts with a VChart spec", () => {
    const c = statsCard(statsFixture(1, 2));
    const charts = flat(c.body.elements as El[]).filter((e) => e.tag === "chart");
    expect(charts).toHaveLength(2);
    for (const ch of charts)
      expect(ch.chart_spec).toMatchObject({ type: "bar", data: [{ values: expect.any(Array) }] });
    expect(JSON.stringify(c)).toContain("33.33%");
  });
});
