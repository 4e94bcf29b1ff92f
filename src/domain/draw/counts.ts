import { AppError } from "../errors";
import { STRATA, type PoolTarget, type Stratum } from "./types";

/**
 * A percentage with at most two decimals as integer basis points (5.25% → 525), so that no float
 * ever reaches a count. Accepts "5", "5.2", "5.25", "5%"; rejects more decimals, negatives, > 100.
 */
export function parseRatioBp(text: string): number | null {
  const m = /^\s*(\d{1,3})(?:\.(\d{1,2}))?\s*%?\s*$/.exec(text);
  if (!m) return null;
  const bp = Number(m[1]) * 100 + Number((m[2] ?? "").padEnd(2, "0"));
  return bp > 10000 ? null : bp;
}

/** count = ceil(N × bp / 10000), at least 1 when N > 0 (interface.md §7). */
export function stratumCount(n: number, bp: number): number {
  if (n <= 0) return 0;
  return Math.max(1, Math.ceil((n * bp) / 10000)); // n*bp < 2^53 for any real register
}

export interface RatioSource {
  itemBp: number;
  planBp: Partial<Record<Stratum, number | null>>;
}

/** perStratum for the record: the plan's ratio for a risk level, else the item's; empty strata omitted. */
export function perStratumCounts(
  targets: readonly PoolTarget[],
  ratios: RatioSource,
): Partial<Record<Stratum, number>> {
  const sizes = new Map<Stratum, number>();
  for (const t of targets) sizes.set(t.stratum, (sizes.get(t.stratum) ?? 0) + 1);
  const out: Partial<Record<Stratum, number>> = {};
  for (const s of STRATA) {
    const n = sizes.get(s) ?? 0;
    if (n === 0) continue;
    const bp = ratios.planBp[s] ?? ratios.itemBp;
    out[s] = stratumCount(n, bp);
  }
  if (Object.keys(out).length === 0) {
    throw new AppError("EMPTY_POOL", "号池为空：没有符合条件（对象类型匹配且经营状态为存续/在业）的检查对象");
  }
  return out;
}
