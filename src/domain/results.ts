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
const PROBLEM_CATEGORIES: ReadonlySet<string> = new Set(["发现问题经责令已改正", "发现问题待后续处理", "不配合检查情节严重", "通过登记的住所（经营场所）无法联系"]);

export const isProblem = (category: string): boolean => PROBLEM_CATEGORIES.has(category);

/**
 * A rate in basis points without floats, rounded half-up (10.91%, not 10.90%); 0 of 0 is reported
 * as null ("无数据"), not as 0% or 100%.
 */
export const rateBp = ratioBpHalfUp;

export const formatBp = (bp: number | null): string => (bp === null ? "—" : `${Math.floor(bp / 100)}.${String(bp % 100).padStart(2, "0")}%`);

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
  return d.toISOString().slice(0, 10) === m[1] ? m[1]! : null;
};
const text = (v: unknown) => (typeof v === "string" ? v.trim() : "");

/**
 * Validates a submitted result form on the server (the client's `required` is only a hint).
 * Returns the result, or the first problem naming the field in Chinese.
 */
export function parseResultForm(form: Record<string, unknown>, today: string): { ok: true; value: ResultInput } | { ok: false; field: string; message: string } {
  const fail = (field: keyof typeof RESULT_FIELDS, why: string) => ({ ok: false as const, field, message: `${RESULT_FIELDS[field]}：${why}` });
  const inspectionDate = pickerDate(form["inspection_date"]);
  if (!inspectionDate) return fail("inspection_date", "请选择检查日期");
  if (inspectionDate > today) return fail("inspection_date", "不能晚于今天");
  const category = text(form["category"]);
  if (!(RESULT_CATEGORIES as readonly string[]).includes(category)) return fail("category", "请选择检查结果");
  const problem = text(form["problem"]);
  if (problem.length > 1000) return fail("problem", "不能超过 1000 字");
  const remark = text(form["remark"]);
  if (remark.length > 500) return fail("remark", "不能超过 500 字");
  const disposalText = text(form["disposal"]);
  if (disposalText !== "" && !(DISPOSALS as readonly string[]).includes(disposalText)) return fail("disposal", "请选择列表中的处置方式");
  const disposal = disposalText === "" ? null : (disposalText as ResultInput["disposal"]);
  const deadlineRaw = form["rectify_deadline"];
  const rectifyDeadline = deadlineRaw === undefined || deadlineRaw === "" || deadlineRaw === null ? null : pickerDate(deadlineRaw);
  if (deadlineRaw && !rectifyDeadline) return fail("rectify_deadline", "日期无效");

  const needsFollowUp = category === "发现问题待后续处理";
  if ((needsFollowUp || category === "发现问题经责令已改正") && problem === "") return fail("problem", "发现问题时必须描述问题");
  if (needsFollowUp && !disposal) return fail("disposal", "「发现问题待后续处理」必须选择后续处置");
  if (disposal === "责令限期整改" && !rectifyDeadline) return fail("rectify_deadline", "责令限期整改必须填写整改期限");
  if (rectifyDeadline && rectifyDeadline <= inspectionDate) return fail("rectify_deadline", "应晚于检查日期");
  return { ok: true, value: { inspectionDate, category: category as ResultCategory, problem, disposal, rectifyDeadline, remark } };
}
