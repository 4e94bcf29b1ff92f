import { describe, expect, it } from "vitest";
import { cardReaders } from "../../src/bot/cardReaders";
import { AppError } from "../../src/domain/errors";

const click = (value: Record<string, unknown>, formValue: Record<string, unknown> = {}) =>
  cardReaders({ operatorOpenId: "ou_x", value, formValue, messageId: "om_1", chatId: "oc_1" });

const refusal = (f: () => unknown) => {
  try {
    f();
  } catch (e) {
    return e instanceof AppError ? { code: e.code, message: e.message } : e;
  }
  return null;
};

describe("what a card handler reads from a click", () => {
  it("ids: a positive integer (a number or digits); anything else is a coded refusal in Chinese", () => {
    expect(click({ assignmentId: 12 }).id("assignmentId")).toBe(12);
    expect(click({ assignmentId: "12" }).id("assignmentId")).toBe(12);
    for (const bad of [undefined, null, "", "12a", -3, 0, 1.5, "1e3", {}])
      expect(refusal(() => click({ assignmentId: bad }).id("assignmentId"))).toEqual({
        code: "BAD_PARAMS",
        message: "这张卡片的按钮已失效（缺少编号）",
      });
  });

  it("params: strings and numbers as text, anything else empty", () => {
    expect(click({ drawId: "T2026-01-1", page: 2, x: { a: 1 } }).param("drawId")).toBe("T2026-01-1");
    expect(click({ page: 2 }).param("page")).toBe("2");
    expect(click({ x: { a: 1 } }).param("x")).toBe("");
  });

  it("form text is trimmed; a field named for its form (reason_reject_3) is found by its plain name", () => {
    const r = click({}, { reason: "  亲属持股 ", review_date_5: "2027-01-06 +0800", n: 3 });
    expect(r.text("reason")).toBe("亲属持股");
    expect(r.text("review_date")).toBe("2027-01-06 +0800");
    expect(r.text("n")).toBe(""); // not text
    expect(r.text("missing")).toBe("");
    expect(click({}, { reason_reject_3: "不符合" }).requiredText("reason", "驳回理由")).toBe("不符合");
  });

  it("a required field left blank is refused with 「<label>：必填」", () => {
    expect(refusal(() => click({}, { reason: "   " }).requiredText("reason", "回避理由"))).toEqual({
      code: "USAGE",
      message: "回避理由：必填",
    });
  });
});
