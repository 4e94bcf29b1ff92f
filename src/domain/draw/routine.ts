/**
 * No routine check twice a year (interface.md §7): for an item of 抽查类别 一般, a target already
 * drawn for the same 事项 in an earlier draw of the same 年度 leaves the pool. 重点 items keep it.
 */
const ROUTINE_CATEGORY = "一般";

export const excludesDrawn = (category: string) => category === ROUTINE_CATEGORY;

/** The targets that stay (the same array when none leaves) and how many left. */
export function withoutDrawnThisYear<T extends { id: string }>(
  category: string,
  targets: T[],
  drawnThisYear: ReadonlySet<string>,
): { targets: T[]; excluded: number } {
  if (!excludesDrawn(category) || drawnThisYear.size === 0) return { targets, excluded: 0 };
  const kept = targets.filter((t) => !drawnThisYear.has(t.id));
  return { targets: kept, excluded: targets.length - kept.length };
}
