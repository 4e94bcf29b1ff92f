import { canonicalJson, compareCodePoints, sha256Hex } from "../canonical";
import { AppError } from "../errors";
import { drawOrder } from "../sampler";
import { assignInspectors } from "./assign";
import { StaffingRules } from "./staffing";
import {
  ALGORITHM,
  STRATA,
  type Commitment,
  type DrawParams,
  type DrawRecord,
  type Pool,
  type SelectedTarget,
  type Selection,
  type Stratum,
  type TaskRef,
  type Witness,
} from "./types";

const comparePairs = (a: readonly [string, string], b: readonly [string, string]) =>
  compareCodePoints(a[0], b[0]) || compareCodePoints(a[1], b[1]);

function uniquePairs(pairs: readonly (readonly [string, string])[]): [string, string][] {
  const seen = new Set<string>();
  const out: [string, string][] = [];
  for (const [a, b] of pairs) {
    const key = `${a}\u0000${b}`;
    if (!seen.has(key)) {
      seen.add(key);
      out.push([a, b]);
    }
  }
  return out.sort(comparePairs);
}

/** The canonical form of a pool: every list sorted, pairs de-duplicated, ids unique. */
export function normalizePool(pool: Pool): Pool {
  const targets = [...pool.targets].sort((a, b) => compareCodePoints(a.id, b.id));
  const inspectors = pool.inspectors
    .map((i) => ({ id: i.id, unit: i.unit, specialties: [...new Set(i.specialties)].sort(compareCodePoints) }))
    .sort((a, b) => compareCodePoints(a.id, b.id));
  for (const [list, what] of [
    [targets, "检查对象"],
    [inspectors, "执法人员"],
  ] as const) {
    for (let k = 1; k < list.length; k++) {
      if (list[k]!.id === list[k - 1]!.id) throw new AppError("DUPLICATE_ID", `号池中${what} ${list[k]!.id} 重复`);
    }
  }
  return {
    targets: targets.map((t) => ({ id: t.id, stratum: t.stratum })),
    inspectors,
    conflicts: uniquePairs(pool.conflicts),
    previousAssignments: uniquePairs(pool.previousAssignments),
  };
}

export function makeParams(p: Omit<DrawParams, "algorithm">): DrawParams {
  return {
    perStratum: p.perStratum,
    inspectorsPerTarget: p.inspectorsPerTarget,
    requiredSpecialty: p.requiredSpecialty,
    jointUnits: [...new Set(p.jointUnits)].sort(compareCodePoints),
    algorithm: ALGORITHM,
  };
}

export const poolHashOf = (pool: Pool) => sha256Hex(canonicalJson(pool));
export const paramsHashOf = (params: DrawParams) => sha256Hex(canonicalJson(params));
export const recordHashOf = (record: DrawRecord) => sha256Hex(canonicalJson(record));

/** seed = sha256_hex(serverSeed | witness entropy | poolHash | paramsHash). */
export function seedOf(serverSeed: string, entropy: string, poolHash: string, paramsHash: string): string {
  return sha256Hex(`${serverSeed}|${entropy}|${poolHash}|${paramsHash}`);
}

/** Targets that no team could staff, with the reason; empty when the draw is feasible. */
export function infeasibleTargets(pool: Pool, params: DrawParams): { targetId: string; reason: string }[] {
  const rules = new StaffingRules(pool, params);
  const out: { targetId: string; reason: string }[] = [];
  for (const t of pool.targets) {
    const reason = rules.staffingProblem(t.id);
    if (reason) out.push({ targetId: t.id, reason });
  }
  return out;
}

/** Why the params do not fit the pool (counts per stratum), or null. */
export function paramsProblem(pool: Pool, params: DrawParams): string | null {
  const sizes = new Map<Stratum, number>();
  for (const t of pool.targets) sizes.set(t.stratum, (sizes.get(t.stratum) ?? 0) + 1);
  for (const s of STRATA) {
    const n = sizes.get(s) ?? 0;
    const c = params.perStratum[s];
    if (n === 0 && c !== undefined) return `风险等级「${s}」无检查对象，不应有抽取数量`;
    if (n > 0 && (c === undefined || !Number.isSafeInteger(c) || c < 1 || c > n))
      return `风险等级「${s}」抽取数量应为 1 至 ${n}，实际 ${c}`;
  }
  for (const key of Object.keys(params.perStratum)) {
    if (!(STRATA as readonly string[]).includes(key)) return `未知风险等级「${key}」`;
  }
  if (!Number.isSafeInteger(params.inspectorsPerTarget) || params.inspectorsPerTarget < 2)
    return "每户检查人数至少为 2";
  return null;
}

/**
 * Freezes a pool and params: normalizes and hashes them and commits to the server seed.
 * Refuses (before anything can be published) when counts don't fit or a target can't be staffed.
 */
export function freeze(input: {
  drawId: string;
  task: TaskRef;
  pool: Pool;
  params: DrawParams;
  serverSeed: string;
  committedAt: string;
}): Commitment {
  if (!/^[0-9a-f]{64}$/.test(input.serverSeed))
    throw new AppError("BAD_SERVER_SEED", "服务器种子须为 64 位小写十六进制");
  const pool = normalizePool(input.pool);
  const params = makeParams(input.params);
  const problem = paramsProblem(pool, params);
  if (problem) throw new AppError("BAD_PARAMS", `抽取参数有误：${problem}`);
  const infeasible = infeasibleTargets(pool, params);
  if (infeasible.length > 0) {
    const shown = infeasible.slice(0, 10).map((x) => `${x.targetId}：${x.reason}`);
    const more = infeasible.length > 10 ? `\n……共 ${infeasible.length} 户` : "";
    throw new AppError(
      "INSUFFICIENT_ELIGIBLE_INSPECTORS",
      `无法保证每户都能配齐执法人员，抽取未进行：\n${shown.join("\n")}${more}`,
      {
        targets: infeasible,
      },
    );
  }
  return {
    version: 1,
    drawId: input.drawId,
    task: input.task,
    pool,
    params,
    poolHash: poolHashOf(pool),
    paramsHash: paramsHashOf(params),
    commitment: sha256Hex(input.serverSeed),
    committedAt: input.committedAt,
  };
}

/** Stage 1 (targets, per stratum, ticket order) and stage 2 (inspectors) from the seed alone. */
export function runDraw(pool: Pool, params: DrawParams, seed: string): Selection {
  const targets: SelectedTarget[] = [];
  const alternates: Partial<Record<Stratum, string[]>> = {};
  for (const s of STRATA) {
    const n = params.perStratum[s];
    if (n === undefined) continue;
    const { selected, rest } = drawOrder(
      pool.targets.filter((t) => t.stratum === s).map((t) => t.id),
      seed,
      n,
    );
    for (const t of selected) targets.push({ id: t.id, stratum: s, ticket: t.ticket });
    alternates[s] = rest;
  }
  const rules = new StaffingRules(pool, params);
  const { assignments, relaxations } = assignInspectors(targets, rules, seed);
  return { targets, assignments, alternates, relaxations };
}

/** The witness has acted: reveal the server seed, derive the seed, run the draw. */
export function reveal(commitment: Commitment, serverSeed: string, witness: Witness): DrawRecord {
  if (sha256Hex(serverSeed) !== commitment.commitment) {
    throw new AppError("COMMITMENT_MISMATCH", "服务器种子与已公布的承诺值不符，拒绝揭示");
  }
  if (witness.entropy.trim() === "") throw new AppError("EMPTY_ENTROPY", "见证人须输入随机数（不能为空）");
  const seed = seedOf(serverSeed, witness.entropy, commitment.poolHash, commitment.paramsHash);
  return {
    ...commitment,
    serverSeed,
    witness: { openId: witness.openId, entropy: witness.entropy, at: witness.at },
    seed,
    selection: runDraw(commitment.pool, commitment.params, seed),
    amendments: [],
  };
}
