import { z } from "zod";
import { canonicalJson, sha256Hex } from "../canonical";
import { isAppError } from "../errors";
import { replacementFor } from "./amend";
import { infeasibleTargets, normalizePool, paramsHashOf, paramsProblem, poolHashOf, runDraw, seedOf } from "./record";
import { StaffingRules } from "./staffing";
import { currentTeams } from "./amend";
import { ALGORITHM, STRATA, type DrawRecord } from "./types";

const str = z.string();
const stratum = z.enum(STRATA);
const pair = z.tuple([str, str]);

/** The record's shape; verify checks the shape first so a broken file gets a clear answer. */
export const drawRecordSchema = z.object({
  version: z.literal(1),
  drawId: str,
  task: z.object({ code: str, name: str, itemCode: str, year: z.number().int() }),
  pool: z.object({
    targets: z.array(z.object({ id: str, stratum })),
    inspectors: z.array(z.object({ id: str, unit: str, specialties: z.array(str) })),
    conflicts: z.array(pair),
    previousAssignments: z.array(pair),
  }),
  params: z.object({
    perStratum: z.partialRecord(stratum, z.number().int()),
    inspectorsPerTarget: z.number().int(),
    requiredSpecialty: str.nullable(),
    jointUnits: z.array(str),
    algorithm: z.literal(ALGORITHM),
  }),
  poolHash: str,
  paramsHash: str,
  commitment: str,
  committedAt: str,
  serverSeed: str,
  witness: z.object({ openId: str, entropy: str, at: str }),
  seed: str,
  selection: z.object({
    targets: z.array(z.object({ id: str, stratum, ticket: str })),
    assignments: z.array(z.object({ targetId: str, inspectorIds: z.array(str) })),
    alternates: z.partialRecord(stratum, z.array(str)),
    relaxations: z.array(z.object({ kind: z.literal("previous-pair"), targetId: str, inspectorId: str })),
  }),
  amendments: z.array(
    z.object({ kind: z.literal("recusal"), inspectorId: str, targetId: str, replacementId: str, at: str }),
  ),
});

export interface Check {
  id: string;
  label: string;
  ok: boolean;
  detail?: string;
}

export interface Verification {
  ok: boolean;
  checks: Check[];
}

const same = (a: unknown, b: unknown) => canonicalJson(a) === canonicalJson(b);

/** First difference between two lists, for a message that names the place. */
function firstDiff<T>(want: readonly T[], got: readonly T[], show: (x: T | undefined) => string): string {
  const n = Math.max(want.length, got.length);
  for (let k = 0; k < n; k++) {
    if (!same(want[k] ?? null, got[k] ?? null)) return `第 ${k + 1} 项：应为 ${show(want[k])}，记录为 ${show(got[k])}`;
  }
  return "";
}

/**
 * Re-runs a draw from its record alone and reports every check. Nothing is trusted: hashes, seed,
 * counts, feasibility, every ticket, every assignment and every amendment are recomputed.
 */
export function verify(input: unknown): Verification {
  const parsed = drawRecordSchema.safeParse(input);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    return { ok: false, checks: [{ id: "format", label: "记录格式", ok: false, detail: `${issue.path.join(".") || "(根)"}：${issue.message}` }] };
  }
  const r = parsed.data as DrawRecord;
  const checks: Check[] = [{ id: "format", label: "记录格式", ok: true }];
  const add = (id: string, label: string, ok: boolean, detail?: string) => checks.push(ok ? { id, label, ok } : { id, label, ok, detail });

  let canonicalPool = true;
  try {
    canonicalPool = same(normalizePool(r.pool), r.pool);
  } catch (e) {
    canonicalPool = false;
    if (!isAppError(e)) throw e;
  }
  add("poolCanonical", "号池已排序且无重复", canonicalPool, "号池未按规范排序或含重复项");
  const poolHash = poolHashOf(r.pool);
  add("poolHash", "号池哈希 poolHash", poolHash === r.poolHash, `重新计算为 ${poolHash}`);
  const paramsHash = paramsHashOf(r.params);
  add("paramsHash", "参数哈希 paramsHash", paramsHash === r.paramsHash, `重新计算为 ${paramsHash}`);
  const commitment = sha256Hex(r.serverSeed);
  add("commitment", "承诺值 commitment = sha256(serverSeed)", commitment === r.commitment && /^[0-9a-f]{64}$/.test(r.serverSeed), `sha256(serverSeed) = ${commitment}`);
  const seed = seedOf(r.serverSeed, r.witness.entropy, r.poolHash, r.paramsHash);
  add("seed", "种子 seed", seed === r.seed, `重新计算为 ${seed}`);

  const problem = paramsProblem(r.pool, r.params);
  add("counts", "各风险等级抽取数量", problem === null, problem ?? undefined);
  if (problem !== null) return { ok: false, checks };
  const infeasible = infeasibleTargets(r.pool, r.params);
  add("feasible", "号池中每户均可配齐执法人员", infeasible.length === 0, infeasible.slice(0, 3).map((x) => `${x.targetId}：${x.reason}`).join("；"));

  // Re-run from the recorded seed, so a wrong seed is reported once above and the rest still checked.
  const expected = runDraw(r.pool, r.params, r.seed);
  const showTarget = (t: { id: string; stratum: string; ticket: string } | undefined) => (t ? `${t.stratum}/${t.id}` : "（无）");
  add("targets", "抽中对象及票号（逐户重算）", same(expected.targets, r.selection.targets), firstDiff(expected.targets, r.selection.targets, showTarget));
  add("alternates", "候补顺序", same(expected.alternates, r.selection.alternates), "候补名单与重算结果不同");
  const showTeam = (a: { targetId: string; inspectorIds: string[] } | undefined) => (a ? `${a.targetId}→${a.inspectorIds.join(",")}` : "（无）");
  add("assignments", "执法人员分配（逐户重算）", same(expected.assignments, r.selection.assignments), firstDiff(expected.assignments, r.selection.assignments, showTeam));
  add("relaxations", "放宽记录", same(expected.relaxations, r.selection.relaxations), "放宽记录与重算结果不同");

  let amendmentsOk = true;
  let amendmentDetail: string | undefined;
  r.amendments.forEach((a, k) => {
    if (!amendmentsOk) return;
    try {
      const want = replacementFor(r, a.inspectorId, a.targetId, r.amendments.slice(0, k));
      if (want !== a.replacementId) {
        amendmentsOk = false;
        amendmentDetail = `第 ${k + 1} 次回避：替换人应为 ${want}，记录为 ${a.replacementId}`;
      }
    } catch (e) {
      if (!isAppError(e)) throw e;
      amendmentsOk = false;
      amendmentDetail = `第 ${k + 1} 次回避：${e.message}`;
    }
  });
  add("amendments", `回避替换（${r.amendments.length} 次，逐次重放）`, amendmentsOk, amendmentDetail);

  const rules = new StaffingRules(r.pool, r.params, r.amendments.map((a) => [a.inspectorId, a.targetId]));
  const broken = currentTeams(r)
    .map((t) => ({ t, p: rules.teamProblems(t.targetId, t.inspectorIds) }))
    .filter((x) => x.p.length > 0);
  add("hardRules", "现行分组满足回避、人数、专业、联合单位要求", broken.length === 0, broken.slice(0, 3).map((x) => `${x.t.targetId}：${x.p.join("，")}`).join("；"));

  return { ok: checks.every((c) => c.ok), checks };
}
