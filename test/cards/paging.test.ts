import { describe, expect, it } from "vitest";
import { button, cardBytes, md, MAX_CARD_BYTES, pagedCards, pagedText } from "../../cards/kit";
import { cardProblem } from "../../src/sandbox/fakeFeishu";

const title = (c: { header: { title: { content: string } } }) => c.header.title.content;

describe("paged list cards (Feishu: ≤ 30 KB, ≤ 200 elements per card)", () => {
  it("one card, no page numbers, when everything fits", () => {
    const cards = pagedText("抽查进度", "blue", ["**T1** 甲", "**T2** 乙"]);
    expect(cards).toHaveLength(1);
    expect(title(cards[0]!)).toBe("抽查进度");
    expect(JSON.stringify(cards[0])).toContain("**T1** 甲\\n**T2** 乙");
  });

  it("splits a long list into numbered pages that Feishu accepts, keeping every line in order", () => {
    const lines = Array.from(
      { length: 3000 },
      (_, k) => `**T${k}** ${"某县道路运输经营者双随机抽查任务".repeat(2)}<"\\>`,
    );
    const cards = pagedText("2026 年度抽查计划", "blue", lines);
    expect(cards.length).toBeGreaterThan(3);
    cards.forEach((c, k) => {
      expect(title(c)).toBe(`2026 年度抽查计划（第 ${k + 1}/${cards.length} 页）`);
      expect(cardBytes(c)).toBeLessThanOrEqual(MAX_CARD_BYTES);
      expect(cardProblem(JSON.stringify(c))).toBeNull();
    });
    const text = cards.flatMap((c) => c.body.elements.map((e) => e["content"] as string)).join("\n");
    expect(text.split("\n")).toEqual(lines);
  });

  it("never splits an entry and respects the 200-element limit", () => {
    const entries = Array.from({ length: 250 }, (_, k) => [
      md(`第 ${k} 条`),
      button(`b${k}`, "打开", { action: "task.open", assignmentId: k }),
    ]);
    const cards = pagedCards("待办", "blue", entries, [md("说明")]);
    expect(cards.length).toBeGreaterThanOrEqual(3);
    for (const c of cards) {
      expect(c.body.elements.length).toBeLessThanOrEqual(200);
      expect(c.body.elements[0]).toEqual(md("说明"));
      expect((c.body.elements.length - 1) % 2).toBe(0);
      expect(cardProblem(JSON.stringify(c))).toBeNull();
    }
    expect(cards.reduce((n, c) => n + (c.body.elements.length - 1) / 2, 0)).toBe(250);
  });
});
