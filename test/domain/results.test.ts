import { describe, expect, it } from "vitest";
import { categoryRules, checkReviewDate, parseResultForm, RESULT_CATEGORIES } from "../../src/domain/results";

const TODAY = "2026-11-25";
const form = (o: Record<string, unknown>) => ({ inspection_date: "2026-11-20 +0800", category: "未发现问题", ...o });
const fields = (r: ReturnType<typeof parseResultForm>) => (r.ok ? [] : r.problems.map((p) => p.field));

describe("result form (server-side validation)", () => {
  it("accepts a clean result and the date picker's format", () => {
    expect(parseResultForm(form({}), TODAY)).toEqual({
      ok: true,
      value: {
        inspectionDate: "2026-11-20",
        category: "未发现问题",
        problem: "",
        disposal: null,
        rectifyDeadline: null,
        remark: "",
      },
    });
  });

  it("requires problem, disposal and deadline for 发现问题待后续处理 / 责令限期整改", () => {
    expect(parseResultForm(form({ category: "发现问题待后续处理" }), TODAY)).toMatchObject({
      ok: false,
      field: "problem",
      message: "问题描述：「发现问题待后续处理」必须描述发现的问题\n后续处置：「发现问题待后续处理」必须选择后续处置",
    });
    expect(
      parseResultForm(form({ category: "发现问题待后续处理", problem: "未建立车辆技术档案" }), TODAY),
    ).toMatchObject({ ok: false, field: "disposal" });
    expect(
      parseResultForm(form({ category: "发现问题待后续处理", problem: "x", disposal: "责令限期整改" }), TODAY),
    ).toMatchObject({ ok: false, field: "rectify_deadline" });
    expect(
      parseResultForm(
        form({
          category: "发现问题待后续处理",
          problem: "x",
          disposal: "责令限期整改",
          rectify_deadline: "2026-11-19 +0800",
        }),
        TODAY,
      ),
    ).toMatchObject({ ok: false, message: "整改期限：应晚于检查日期" });
    expect(
      parseResultForm(
        form({
          category: "发现问题待后续处理",
          problem: "x",
          disposal: "责令限期整改",
          rectify_deadline: "2026-11-20 +0800",
        }),
        TODAY,
      ),
    ).toMatchObject({ ok: false, message: "整改期限：应晚于检查日期" });
    expect(
      parseResultForm(
        form({
          category: "发现问题待后续处理",
          problem: "x",
          disposal: "责令限期整改",
          rectify_deadline: "2026-12-25 +0800",
        }),
        TODAY,
      ),
    ).toMatchObject({ ok: true, value: { disposal: "责令限期整改", rectifyDeadline: "2026-12-25" } });
    expect(
      parseResultForm(form({ category: "发现问题待后续处理", problem: "x", disposal: "移送司法机关" }), TODAY),
    ).toMatchObject({ ok: true });
  });

  it("names the field for missing, unknown or impossible values (a forged callback can't sneak past)", () => {
    expect(parseResultForm({}, TODAY)).toMatchObject({ ok: false, field: "inspection_date" });
    expect(fields(parseResultForm({}, TODAY))).toEqual(["inspection_date", "category"]);
    expect(parseResultForm(form({ inspection_date: "2026-02-30 +0800" }), TODAY)).toMatchObject({
      field: "inspection_date",
      message: "检查日期：日期无效",
    });
    expect(parseResultForm(form({ inspection_date: "2026-11-26 +0800" }), TODAY)).toMatchObject({
      message: "检查日期：不能晚于今天（2026-11-25）",
    });
    expect(parseResultForm(form({ category: "problem_found" }), TODAY)).toMatchObject({ field: "category" });
    expect(parseResultForm(form({ disposal: "罚款" }), TODAY)).toMatchObject({ field: "disposal" });
    expect(parseResultForm(form({ problem: "长".repeat(1001) }), TODAY)).toMatchObject({ field: "problem" });
  });

  it("lists every problem at once, each naming its field", () => {
    const r = parseResultForm(
      {
        inspection_date: "2026-12-01",
        category: "未发现问题",
        problem: "长".repeat(1001),
        disposal: "罚款",
        rectify_deadline: "x",
        remark: "备".repeat(501),
      },
      TODAY,
    );
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.problems.map((p) => p.field)).toEqual([
      "inspection_date",
      "problem",
      "remark",
      "disposal",
      "rectify_deadline",
      "problem",
    ]);
    for (const p of r.problems) expect(r.message).toContain(p.message);
    expect(r.message.split("\n")).toHaveLength(r.problems.length);
    expect(r.message).toMatch(/^检查日期：/);
  });

  it("检查日期 lies between the task's 开始日期, the draw's reveal and today (bounds inclusive; late is allowed)", () => {
    const dates = { today: TODAY, taskStart: "2026-05-01", revealDate: "2026-06-10" };
    expect(parseResultForm(form({ inspection_date: "2026-04-30" }), dates)).toMatchObject({
      ok: false,
      message: "检查日期：不能早于任务开始日期（2026-05-01）",
    });
    expect(parseResultForm(form({ inspection_date: "2026-06-09" }), dates)).toMatchObject({
      ok: false,
      message: "检查日期：不能早于抽取揭示日期（2026-06-10）",
    });
    expect(parseResultForm(form({ inspection_date: "2026-06-10" }), dates)).toMatchObject({ ok: true });
    expect(parseResultForm(form({ inspection_date: TODAY }), dates)).toMatchObject({ ok: true });
    expect(parseResultForm(form({ inspection_date: "2026-11-26" }), dates)).toMatchObject({
      ok: false,
      field: "inspection_date",
    });
    // A reveal before the task start: the later bound wins.
    expect(
      parseResultForm(form({ inspection_date: "2026-04-30" }), {
        today: TODAY,
        taskStart: "2026-05-01",
        revealDate: "2026-04-01",
      }),
    ).toMatchObject({ ok: false });
  });

  it("enforces what each category may carry (spec §8 table)", () => {
    // 未发现问题: nothing else
    expect(
      fields(parseResultForm(form({ problem: "x", disposal: "立案调查", rectify_deadline: "2026-12-01" }), TODAY)),
    ).toEqual(["problem", "disposal", "rectify_deadline"]);
    // 发现问题经责令已改正: problem required, no disposal, no deadline
    expect(fields(parseResultForm(form({ category: "发现问题经责令已改正" }), TODAY))).toEqual(["problem"]);
    expect(
      fields(
        parseResultForm(
          form({
            category: "发现问题经责令已改正",
            problem: "x",
            disposal: "责令限期整改",
            rectify_deadline: "2026-12-01",
          }),
          TODAY,
        ),
      ),
    ).toEqual(["disposal", "rectify_deadline"]);
    expect(parseResultForm(form({ category: "发现问题经责令已改正", problem: "x" }), TODAY)).toMatchObject({
      ok: true,
    });
    // 发现问题待后续处理: 整改期限 only with 责令限期整改
    expect(
      parseResultForm(
        form({ category: "发现问题待后续处理", problem: "x", disposal: "立案调查", rectify_deadline: "2026-12-01" }),
        TODAY,
      ),
    ).toMatchObject({ ok: false, message: "整改期限：「立案调查」不设整改期限" });
    // any other category: an optional 说明, nothing else
    for (const c of RESULT_CATEGORIES.slice(3)) {
      expect(parseResultForm(form({ category: c }), TODAY)).toMatchObject({ ok: true });
      expect(parseResultForm(form({ category: c, problem: "经营场所已搬离" }), TODAY)).toMatchObject({
        ok: true,
        value: { problem: "经营场所已搬离" },
      });
      expect(fields(parseResultForm(form({ category: c, disposal: "移送有关部门" }), TODAY))).toEqual(["disposal"]);
    }
    expect(categoryRules("发现问题待后续处理", "责令限期整改")).toEqual({
      problem: "required",
      disposal: "required",
      rectifyDeadline: "required",
    });
    expect(categoryRules("发现问题待后续处理", "移送司法机关").rectifyDeadline).toBe("no");
  });

  it("复查日期 lies between 检查日期 and today, before or after 整改期限", () => {
    expect(checkReviewDate("2026-11-20 +0800", "2026-11-20", TODAY)).toEqual({ ok: true, date: "2026-11-20" });
    expect(checkReviewDate(TODAY, "2026-11-20", TODAY)).toEqual({ ok: true, date: TODAY });
    expect(checkReviewDate("2026-11-19", "2026-11-20", TODAY)).toMatchObject({
      ok: false,
      message: "复查日期：不能早于检查日期（2026-11-20）",
    });
    expect(checkReviewDate("2026-11-26", "2026-11-20", TODAY)).toMatchObject({
      ok: false,
      message: "复查日期：不能晚于今天（2026-11-25）",
    });
    expect(checkReviewDate("", "2026-11-20", TODAY)).toMatchObject({ ok: false });
    expect(checkReviewDate("2026-13-01", "2026-11-20", TODAY)).toMatchObject({
      ok: false,
      message: "复查日期：日期无效",
    });
  });
});
