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
const hex64 = z.string().regex(/^[0-9a-f]{64}$/, "应为 64 位小写十六进制");
const isoTime = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/, "应为 ISO 8601 时间");
const count = z.number().int().min(0);
const ticket = z.string().regex(/^0\.\d{64,}$/, "应为 0. 加至少 64 位数字");
/** Every object is strict: a key that interface.md §6 does not list makes the record not a version-1 record. */
const obj = <T extends z.ZodRawShape>(shape: T) => z.strictObject(shape);

/** The record exactly as interface.md §6 lists it: every key at every level, nothing else. */
const drawRecordSchema = obj({
  version: z.literal(1),
  drawId: str,
  task: obj({ code: str, name: str, itemCode: str, year: z.number().int() }),
  pool: obj({
    targets: z.array(obj({ id: str, stratum })),
    inspectors: z.array(obj({ id: str, unit: str, specialties: z.array(str) })),
    conflicts: z.array(pair),
    previousAssignments: z.array(pair),
  }),
  params: obj({
    perStratum: z.partialRecord(stratum, count),
    inspectorsPerTarget: count,
    requiredSpecialty: str.nullable(),
    jointUnits: z.array(str),
    algorithm: z.literal(ALGORITHM),
  }),
  poolHash: hex64,
  paramsHash: hex64,
  commitment: hex64,
  committedAt: isoTime,
  serverSeed: hex64,
  witness: obj({ openId: str, entropy: str, at: isoTime }),
  seed: hex64,
  selection: obj({
    targets: z.array(obj({ id: str, stratum, ticket })),
    assignments: z.array(obj({ targetId: str, inspectorIds: z.array(str) })),
    alternates: z.partialRecord(stratum, z.array(str)),
    relaxations: z.array(obj({ kind: z.literal("previous-pair"), targetId: str, inspectorId: str })),
  }),
  amendments: z.array(
    obj({ kind: z.enum(["recusal", "withdrawal"]), inspectorId: str, targetId: str, replacementId: str, at: isoTime }),
  ),
});

/** Where a zod issue points, as the field's path ("selection.targets[3].ticket"), plus the unknown keys. */
function issueText(issue: z.core.$ZodIssue): string {
  const where = issue.path.reduce<string>(
    (acc, k) => (typeof k === "number" ? `${acc}[${k}]` : acc ? `${acc}.${String(k)}` : String(k)),
    "",
  );
  if (issue.code === "unrecognized_keys") {
    return issue.keys.map((k) => `${where ? `${where}.` : ""}${k}：未知字段（第 1 版记录没有该字段）`).join("；");
  }
  if (issue.code === "invalid_type" && issue.message.includes("undefined")) return `${where}：缺少该字段`;
  return `${where || "(根)"}：${issue.message}`;
}

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
function firstDiff<T>(path: string, want: readonly T[], got: readonly T[], show: (x: T | undefined) => string): string {
  const n = Math.max(want.length, got.length);
  for (let k = 0; k < n; k++) {
    const w = want[k] as Record<string, unknown> | undefined;
    const g = got[k] as Record<string, unknown> | undefined;
    if (same(w ?? null, g ?? null)) continue;
    const field = w && g ? Object.keys(w).find((f) => !same(w[f], g[f])) : undefined;
    return `${path}[${k}]${field ? `.${field}` : ""}：应为 ${show(want[k])}，记录为 ${show(got[k])}`;
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
    const details = parsed.error.issues.slice(0, 10).map(issueText);
    const more = parsed.error.issues.length > 10 ? `；……共 ${parsed.error.issues.length} 处` : "";
    return {
      ok: false,
      checks: [{ id: "format", label: "记录格式（严格按第 1 版字段）", ok: false, detail: details.join("；") + more }],
    };
  }
  const r = parsed.data as DrawRecord;
  const checks: Check[] = [{ id: "format", label: "记录格式", ok: true }];
  const add = (id: string, label: string, ok: boolean, detail?: string) =>
    checks.push(ok ? { id, label, ok } : { id, label, ok, detail });

  let canonicalPool: boolean;
  try {
    canonicalPool = same(normalizePool(r.pool), r.pool);
  } catch (e) {
    canonicalPool = false;
    if (!isAppError(e)) throw e;
  }
  add("poolCanonical", "号池 pool 已排序且无重复", canonicalPool, "号池未按规范排序或含重复项");
  const poolHash = poolHashOf(r.pool);
  add("poolHash", "号池哈希 poolHash", poolHash === r.poolHash, `重新计算为 ${poolHash}`);
  const paramsHash = paramsHashOf(r.params);
  add("paramsHash", "参数哈希 paramsHash", paramsHash === r.paramsHash, `重新计算为 ${paramsHash}`);
  const commitment = sha256Hex(r.serverSeed);
  add(
    "commitment",
    "承诺值 commitment = sha256(serverSeed)",
    commitment === r.commitment && /^[0-9a-f]{64}$/.test(r.serverSeed),
    `sha256(serverSeed) = ${commitment}`,
  );
  const seed = seedOf(r.serverSeed, r.witness.entropy, r.poolHash, r.paramsHash);
  add(
    "seed",
    "种子 seed = sha256(serverSeed|witness.entropy|poolHash|paramsHash)",
    seed === r.seed,
    `重新计算为 ${seed}`,
  );

  const problem = paramsProblem(r.pool, r.params);
  add("counts", "各风险等级抽取数量 params.perStratum", problem === null, problem ?? undefined);
  if (problem !== null) return { ok: false, checks };
  const infeasible = infeasibleTargets(r.pool, r.params);
  add(
    "feasible",
    "号池中每户均可配齐执法人员 pool",
    infeasible.length === 0,
    infeasible
      .slice(0, 3)
      .map((x) => `${x.targetId}：${x.reason}`)
      .join("；"),
  );

  // Re-run from the recorded seed, so a wrong seed is reported once above and the rest still checked.
  const expected = runDraw(r.pool, r.params, r.seed);
  const showTarget = (t: { id: string; stratum: string; ticket: string } | undefined) =>
    t ? `${t.stratum}/${t.id}/${t.ticket.slice(0, 12)}…` : "（无）";
  add(
    "targets",
    "抽中对象及票号 selection.targets（逐户重算）",
    same(expected.targets, r.selection.targets),
    firstDiff("selection.targets", expected.targets, r.selection.targets, showTarget),
  );
  add(
    "alternates",
    "候补顺序 selection.alternates",
    same(expected.alternates, r.selection.alternates),
    "候补名单与重算结果不同",
  );
  const showTeam = (a: { targetId: string; inspectorIds: string[] } | undefined) =>
    a ? `${a.targetId}→${a.inspectorIds.join(",")}` : "（无）";
  add(
    "assignments",
    "执法人员分配 selection.assignments（逐户重算）",
    same(expected.assignments, r.selection.assignments),
    firstDiff("selection.assignments", expected.assignments, r.selection.assignments, showTeam),
  );
  add(
    "relaxations",
    "放宽记录 selection.relaxations",
    same(expected.relaxations, r.selection.relaxations),
    "放宽记录与重算结果不同",
  );

  let amendmentsOk = true;
  let amendmentDetail: string | undefined;
  r.amendments.forEach((a, k) => {
    if (!amendmentsOk) return;
    try {
      const want = replacementFor(r, a.inspectorId, a.targetId, r.amendments.slice(0, k));
      if (want !== a.replacementId) {
        amendmentsOk = false;
        amendmentDetail = `amendments[${k}].replacementId（第 ${k + 1} 次${a.kind === "withdrawal" ? "离岗替换" : "回避"}）：替换人应为 ${want}，记录为 ${a.replacementId}`;
      }
    } catch (e) {
      if (!isAppError(e)) throw e;
      amendmentsOk = false;
      amendmentDetail = `amendments[${k}]（第 ${k + 1} 次${a.kind === "withdrawal" ? "离岗替换" : "回避"}）：${e.message}`;
    }
  });
  add("amendments", `回避与离岗替换 amendments（${r.amendments.length} 次，逐次重放）`, amendmentsOk, amendmentDetail);

  const rules = new StaffingRules(
    r.pool,
    r.params,
    r.amendments.map((a) => [a.inspectorId, a.targetId]),
  );
  const broken = currentTeams(r)
    .map((t) => ({ t, p: rules.teamProblems(t.targetId, t.inspectorIds) }))
    .filter((x) => x.p.length > 0);
  add(
    "hardRules",
    "现行分组 amendments 后满足回避、人数、专业、联合单位要求",
    broken.length === 0,
    broken
      .slice(0, 3)
      .map((x) => `${x.t.targetId}：${x.p.join("，")}`)
      .join("；"),
  );

  return { ok: checks.every((c) => c.ok), checks };
}
