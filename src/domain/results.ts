import { ratioBpHalfUp } from "./publicity";
/** 抽查检查结果 categories and follow-up measures (interface.md §8; national wording). */

export const RESULT_CATEGORIES = [
  "未发现问题",
  "发现问题经责令已改正",
  "发现问题待后续处理",
  "未发现开展本次抽查涉及的经营活动",
  "已关闭停业或正在组织清算",
  "不配合检查情节严重",
  "通过登记的住所（经营场所）无法联系",
  "注销",
  "被吊销",
] as const;
export type ResultCategory = (typeof RESULT_CATEGORIES)[number];

export const DISPOSALS = ["责令限期整改", "立案调查", "移送有关部门", "移送司法机关"] as const;

/** Results that count as "problem found" in the problem rate. */
const PROBLEM_CATEGORIES: ReadonlySet<string> = new Set([
  "发现问题经责令已改正",
  "发现问题待后续处理",
  "不配合检查情节严重",
  "通过登记的住所（经营场所）无法联系",
]);

export const isProblem = (category: string): boolean => PROBLEM_CATEGORIES.has(category);

/**
 * A rate in basis points without floats, rounded half-up (10.91%, not 10.90%); 0 of 0 is reported
 * as null ("无数据"), not as 0% or 100%.
 */
export const rateBp = ratioBpHalfUp;

export const formatBp = (bp: number | null): string =>
  bp === null ? "—" : `${Math.floor(bp / 100)}.${String(bp % 100).padStart(2, "0")}%`;

export interface ResultInput {
  inspectionDate: string;
  category: ResultCategory;
  problem: string;
  disposal: (typeof DISPOSALS)[number] | null;
  rectifyDeadline: string | null;
  remark: string;
}

/** The form's field names, and their labels for messages. */
export const RESULT_FIELDS = {
  inspection_date: "检查日期",
  category: "检查结果",
  problem: "问题描述",
  disposal: "后续处置",
  rectify_deadline: "整改期限",
  remark: "备注",
} as const;

const pickerDate = (v: unknown): string | null => {
  // date_picker sends "yyyy-MM-dd +0800"; accept a bare date too
  const m = typeof v === "string" ? /^(\d{4}-\d{2}-\d{2})(?:\s+[+-]\d{4})?$/.exec(v.trim()) : null;
  if (!m) return null;
  const d = new Date(`${m[1]}T00:00:00Z`);
  return !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === m[1] ? m[1]! : null;
};
const text = (v: unknown) => (typeof v === "string" ? v.trim() : "");
const blank = (v: unknown) => v === undefined || v === null || (typeof v === "string" && v.trim() === "");

/** The dates a result is checked against (bureau dates, YYYY-MM-DD): the one clock's today, the task's 开始日期, the draw's reveal. */
export interface ResultDates {
  today: string;
  taskStart?: string | null;
  revealDate?: string | null;
}

export interface FieldProblem {
  field: keyof typeof RESULT_FIELDS;
  message: string; // "<label>：<why>"
}

/** What each category may carry (interface.md §8): required / allowed / not allowed. */
type Carry = "required" | "optional" | "no";
export function categoryRules(
  category: ResultCategory,
  disposal: ResultInput["disposal"],
): { problem: Carry; disposal: Carry; rectifyDeadline: Carry } {
  if (category === "未发现问题") return { problem: "no", disposal: "no", rectifyDeadline: "no" };
  if (category === "发现问题经责令已改正") return { problem: "required", disposal: "no", rectifyDeadline: "no" };
  if (category === "发现问题待后续处理")
    return {
      problem: "required",
      disposal: "required",
      rectifyDeadline: disposal === "责令限期整改" ? "required" : "no",
    };
  return { problem: "optional", disposal: "no", rectifyDeadline: "no" };
}

/**
 * Validates a submitted result form on the server (the client's `required` is only a hint).
 * Every problem is reported at once, each naming its field; `message` joins them for one reply.
 */
export function parseResultForm(
  form: Record<string, unknown>,
  dates: ResultDates | string,
): { ok: true; value: ResultInput } | { ok: false; field: string; message: string; problems: FieldProblem[] } {
  const { today, taskStart, revealDate } = typeof dates === "string" ? { today: dates } : dates;
  const problems: FieldProblem[] = [];
  const fail = (field: FieldProblem["field"], why: string) =>
    void problems.push({ field, message: `${RESULT_FIELDS[field]}：${why}` });

  const inspectionDate = pickerDate(form["inspection_date"]);
  if (blank(form["inspection_date"])) fail("inspection_date", "请选择检查日期");
  else if (!inspectionDate) fail("inspection_date", "日期无效");
  else if (inspectionDate > today) fail("inspection_date", `不能晚于今天（${today}）`);
  else if (taskStart && inspectionDate < taskStart) fail("inspection_date", `不能早于任务开始日期（${taskStart}）`);
  else if (revealDate && inspectionDate < revealDate) fail("inspection_date", `不能早于抽取揭示日期（${revealDate}）`);

  const categoryText = text(form["category"]);
  const category = (RESULT_CATEGORIES as readonly string[]).includes(categoryText)
    ? (categoryText as ResultCategory)
    : null;
  if (!category) fail("category", categoryText === "" ? "请选择检查结果" : "请选择列表中的检查结果");

  const problem = text(form["problem"]);
  if (problem.length > 1000) fail("problem", "不能超过 1000 字");
  const remark = text(form["remark"]);
  if (remark.length > 500) fail("remark", "不能超过 500 字");

  const disposalText = text(form["disposal"]);
  const disposalKnown = disposalText === "" || (DISPOSALS as readonly string[]).includes(disposalText);
  if (!disposalKnown) fail("disposal", "请选择列表中的处置方式");
  const disposal = disposalText === "" || !disposalKnown ? null : (disposalText as ResultInput["disposal"]);

  const deadlineRaw = form["rectify_deadline"];
  const rectifyDeadline = blank(deadlineRaw) ? null : pickerDate(deadlineRaw);
  if (!blank(deadlineRaw) && !rectifyDeadline) fail("rectify_deadline", "日期无效");

  if (category) {
    const rules = categoryRules(category, disposal);
    const label = `「${category}」`;
    if (rules.problem === "required" && problem === "") fail("problem", `${label}必须描述发现的问题`);
    if (rules.problem === "no" && problem !== "") fail("problem", `${label}不应填写问题描述`);
    if (rules.disposal === "required" && !disposal && disposalKnown) fail("disposal", `${label}必须选择后续处置`);
    if (rules.disposal === "no" && disposal) fail("disposal", `${label}不应选择后续处置`);
    if (rules.rectifyDeadline === "required" && !rectifyDeadline && blank(deadlineRaw))
      fail("rectify_deadline", "责令限期整改必须填写整改期限");
    if (rules.rectifyDeadline === "no" && rectifyDeadline)
      fail("rectify_deadline", disposal ? `「${disposal}」不设整改期限` : `${label}不设整改期限`);
  }
  if (rectifyDeadline && inspectionDate && rectifyDeadline <= inspectionDate)
    fail("rectify_deadline", "应晚于检查日期");

  if (problems.length > 0)
    return { ok: false, field: problems[0]!.field, message: problems.map((p) => p.message).join("\n"), problems };
  return {
    ok: true,
    value: { inspectionDate: inspectionDate!, category: category!, problem, disposal, rectifyDeadline, remark },
  };
}

/** 复查日期 lies between 检查日期 and today, both inclusive (before or after 整改期限: early rectification is normal). */
export function checkReviewDate(
  value: unknown,
  inspectionDate: string,
  today: string,
): { ok: true; date: string } | { ok: false; message: string } {
  const date = pickerDate(value);
  if (blank(value)) return { ok: false, message: "复查日期：请选择复查日期" };
  if (!date) return { ok: false, message: "复查日期：日期无效" };
  if (date < inspectionDate) return { ok: false, message: `复查日期：不能早于检查日期（${inspectionDate}）` };
  if (date > today) return { ok: false, message: `复查日期：不能晚于今天（${today}）` };
  return { ok: true, date };
}
