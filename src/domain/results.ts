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

/** A rate in basis points without floats; 0 of 0 is reported as null ("无数据"), not as 0% or 100%. */
export function rateBp(part: number, whole: number): number | null {
  return whole === 0 ? null : Math.floor((part * 10000) / whole);
}

export const formatBp = (bp: number | null): string => (bp === null ? "—" : `${Math.floor(bp / 100)}.${String(bp % 100).padStart(2, "0")}%`);
