import { describe, expect, it } from "vitest";
import { followUpForms } from "../../../cards/followups";
import { digestCard, remindersCard } from "../../../cards/jobs";
import { cardBytes, MAX_CARD_BYTES } from "../../../cards/kit";
import { DIGEST_KINDS } from "../../../src/features/jobs/due";

describe("job cards stay within Feishu's 30 KB", () => {
  it("a digest with hundreds of overdue lines per heading is cut with a count, never over the limit", () => {
    const lines = DIGEST_KINDS.flatMap((kind) =>
      Array.from({ length: 500 }, (_, k) => ({
        kind,
        targetName: "青溪某某汽车维修服务有限责任公司第" + k + "分公司",
        creditCode: `91330122MA2${String(k).padStart(7, "0")}`,
        taskCode: "T2026-03",
        owners: ["欧阳检查", "司马执法", "诸葛法制"],
        due: "2027-01-25",
        uncoveredYear: 2027,
        state: { overdue: 12 },
      })),
    );
    const card = digestCard("2027-02-10", DIGEST_KINDS, lines);
    expect(cardBytes(card)).toBeLessThan(MAX_CARD_BYTES);
    expect(JSON.stringify(card)).toContain("……另有 475 项");
    expect(JSON.stringify(card)).toContain("（未导入2027年节假日安排，日期待确认）");
  });

  it("a reminders card shows at most 10 items per section and says how many more", () => {
    const items = Array.from({ length: 30 }, (_, k) => ({ text: `第 ${k} 项`, actions: [] }));
    const card = remindersCard("2026-12-16", [{ title: "待录入检查结果", items }]);
    expect(JSON.stringify(card)).toContain("……另有 20 项");
    expect(cardBytes(card)).toBeLessThan(MAX_CARD_BYTES);
  });
});

describe("a reminders card full of forms", () => {
  it("shows fewer items per section rather than exceed the limit", () => {
    const form = (id: number) =>
      followUpForms(
        {
          id,
          kind: "整改复查",
          status: "open",
          outcome: null,
          details: {},
          taskCode: "T",
          targetName: "某公司",
          creditCode: "X",
          problem: "问题".repeat(100),
          disposal: null,
          dueShown: null,
          dueState: null,
          owners: [],
        },
        "reminders",
      );
    const sections = Array.from({ length: 5 }, (_, s) => ({
      title: `第${s}类`,
      items: Array.from({ length: 40 }, (_, k) => ({ text: "很长的说明".repeat(60), actions: form(s * 100 + k) })),
    }));
    const card = remindersCard("2026-12-16", sections);
    expect(cardBytes(card)).toBeLessThan(MAX_CARD_BYTES);
    expect(JSON.stringify(card)).toMatch(/……另有 3\d 项/);
  });
});
