import { describe, expect, it } from "vitest";
import { parseResultForm } from "../../src/domain/results";

const TODAY = "2026-11-25";
const form = (o: Record<string, unknown>) => ({ inspection_date: "2026-11-20 +0800", category: "未发现问题", ...o });

describe("result form (server-side validation)", () => {
  it("accepts a clean result and the date picker's format", () => {
    expect(parseResultForm(form({}), TODAY)).toEqual({ ok: true, value: { inspectionDate: "2026-11-20", category: "未发现问题", problem: "", disposal: null, rectifyDeadline: null, remark: "" } });
  });

  it("requires problem, disposal and deadline for 发现问题待后续处理 / 责令限期整改", () => {
    expect(parseResultForm(form({ category: "发现问题待后续处理" }), TODAY)).toMatchObject({ ok: false, field: "problem", message: "问题描述：发现问题时必须描述问题" });
    expect(parseResultForm(form({ category: "发现问题待后续处理", problem: "未建立车辆技术档案" }), TODAY)).toMatchObject({ ok: false, field: "disposal" });
    expect(parseResultForm(form({ category: "发现问题待后续处理", problem: "x", disposal: "责令限期整改" }), TODAY)).toMatchObject({ ok: false, field: "rectify_deadline" });
    expect(parseResultForm(form({ category: "发现问题待后续处理", problem: "x", disposal: "责令限期整改", rectify_deadline: "2026-11-19 +0800" }), TODAY)).toMatchObject({ ok: false, message: "整改期限：应晚于检查日期" });
    expect(parseResultForm(form({ category: "发现问题待后续处理", problem: "x", disposal: "责令限期整改", rectify_deadline: "2026-12-25 +0800" }), TODAY)).toMatchObject({ ok: true, value: { disposal: "责令限期整改", rectifyDeadline: "2026-12-25" } });
    expect(parseResultForm(form({ category: "发现问题待后续处理", problem: "x", disposal: "移送司法机关" }), TODAY)).toMatchObject({ ok: true });
  });

  it("names the field for missing, unknown or impossible values (a forged callback can't sneak past)", () => {
    expect(parseResultForm({}, TODAY)).toMatchObject({ ok: false, field: "inspection_date" });
    expect(parseResultForm(form({ inspection_date: "2026-02-30 +0800" }), TODAY)).toMatchObject({ field: "inspection_date" });
    expect(parseResultForm(form({ inspection_date: "2026-11-26 +0800" }), TODAY)).toMatchObject({ message: "检查日期：不能晚于今天" });
    expect(parseResultForm(form({ category: "problem_found" }), TODAY)).toMatchObject({ field: "category" });
    expect(parseResultForm(form({ disposal: "罚款" }), TODAY)).toMatchObject({ field: "disposal" });
    expect(parseResultForm(form({ problem: "长".repeat(1001) }), TODAY)).toMatchObject({ field: "problem" });
  });
});
