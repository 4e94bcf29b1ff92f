import { describe, expect, it } from "vitest";
import { canonicalJson, sha256Hex } from "../../src/domain/canonical";
import { parseRatioBp, perStratumCounts, stratumCount } from "../../src/domain/draw/counts";
import { freeze, infeasibleTargets, normalizePool, runDraw, seedOf } from "../../src/domain/draw/record";
import type { Pool } from "../../src/domain/draw/types";
import { isAppError } from "../../src/domain/errors";
import { inspectors, params, record, SERVER_SEED, spread, targets } from "../helpers/pools";

describe("per-stratum counts (integer arithmetic)", () => {
  it("parses ratios with at most two decimals into basis points", () => {
    expect(parseRatioBp("5")).toBe(500);
    expect(parseRatioBp("5.25")).toBe(525);
    expect(parseRatioBp("3.3%")).toBe(330);
    expect(parseRatioBp("0.01")).toBe(1);
    expect(parseRatioBp("100")).toBe(10000);
    for (const bad of ["5.255", "100.01", "-1", "abc", "", "1e2"]) expect(parseRatioBp(bad)).toBeNull();
  });

  it("rounds up at the boundary, at least 1 when the stratum is not empty", () => {
    expect(stratumCount(100, 500)).toBe(5); // exactly 5.00
    expect(stratumCount(101, 500)).toBe(6); // 5.05 → 6
    expect(stratumCount(19, 500)).toBe(1); // 0.95 → 1
    expect(stratumCount(1, 1)).toBe(1); // at least 1
    expect(stratumCount(0, 500)).toBe(0);
    expect(stratumCount(300, 333)).toBe(10); // 9.99 → 10
    expect(stratumCount(3000, 333)).toBe(100); // 99.9 → 100
    expect(stratumCount(100, 700)).toBe(7); // floats say 100 × 0.07 = 7.000000000000001 → ceil 8; integers say 7
    expect(Math.ceil(100 * 0.07)).toBe(8); // (the float trap this avoids)
    expect(stratumCount(7, 10000)).toBe(7); // n = N
  });

  it("takes the plan's ratio for a risk level, else the item's, and omits empty strata", () => {
    const pool = [...targets("L", 40, "低"), ...targets("H", 9, "高")];
    expect(perStratumCounts(pool, { itemBp: 500, planBp: { 高: 5000 } })).toEqual({ 低: 2, 高: 5 });
  });
});

describe("the draw record (vectors)", () => {
  it("selects Rivest's README example when the seed is 314159", () => {
    const pool: Pool = {
      targets: ["A-1", "A-2", "A-3", "B-1", "B-2", "B-3"].map((id) => ({ id, stratum: "中" })),
      inspectors: inspectors(4),
      conflicts: [],
      previousAssignments: [],
    };
    const s = runDraw(normalizePool(pool), params({ 中: 4 }), "314159");
    expect(s.targets.map((t) => t.id)).toEqual(["B-2", "B-3", "A-3", "A-2"]);
    expect(s.alternates).toEqual({ 中: ["B-1", "A-1"] }); // the rest, in ticket order
  });

  it("derives the seed from server seed, witness entropy and both hashes", () => {
    const r = record(
      { targets: targets("T", 10), inspectors: inspectors(4), conflicts: [], previousAssignments: [] },
      params({ 中: 2 }),
    );
    expect(r.commitment).toBe(sha256Hex(SERVER_SEED));
    expect(r.poolHash).toBe(sha256Hex(canonicalJson(r.pool)));
    expect(r.paramsHash).toBe(sha256Hex(canonicalJson(r.params)));
    expect(r.seed).toBe(sha256Hex(`${SERVER_SEED}|witness-1234|${r.poolHash}|${r.paramsHash}`));
    expect(seedOf(SERVER_SEED, "witness-12345", r.poolHash, r.paramsHash)).not.toBe(r.seed);
  });

  it("handles CJK ids and a CJK witness entropy", () => {
    const pool: Pool = {
      targets: ["企业甲", "企业乙", "企业丙", "企业丁"].map((id) => ({ id, stratum: "高" })),
      inspectors: inspectors(3),
      conflicts: [],
      previousAssignments: [],
    };
    const r = record(pool, params({ 高: 2 }), "见证人掷骰 3-5-1-6");
    expect(r.selection.targets).toHaveLength(2);
    expect(r.selection.targets.every((t) => t.ticket.startsWith("0.") && t.ticket.length >= 66)).toBe(true);
  });

  it("selects everyone when n = N, and records an empty alternates list", () => {
    const r = record(
      { targets: targets("T", 3, "低"), inspectors: inspectors(2), conflicts: [], previousAssignments: [] },
      params({ 低: 3 }),
    );
    expect(r.selection.targets.map((t) => t.id).sort()).toEqual(["T001", "T002", "T003"]);
    expect(r.selection.alternates).toEqual({ 低: [] });
  });

  it("refuses, before any commitment, a pool with a target whose every inspector is conflicted", () => {
    const pool: Pool = {
      targets: targets("T", 3),
      inspectors: inspectors(2),
      conflicts: [
        ["I001", "T002"],
        ["I002", "T002"],
      ],
      previousAssignments: [],
    };
    let error: unknown;
    try {
      freeze({
        drawId: "x",
        task: { code: "T", name: "n", itemCode: "i", year: 2026 },
        pool,
        params: params({ 中: 1 }),
        serverSeed: SERVER_SEED,
        committedAt: "t",
      });
    } catch (e) {
      error = e;
    }
    expect(isAppError(error) && error.code).toBe("INSUFFICIENT_ELIGIBLE_INSPECTORS");
    expect((error as Error).message).toMatch(/T002：可选执法人员仅 0 名/);
  });

  it("refuses counts that don't fit the pool", () => {
    const pool: Pool = { targets: targets("T", 3), inspectors: inspectors(2), conflicts: [], previousAssignments: [] };
    const bad = (p: ReturnType<typeof params>) => () =>
      freeze({
        drawId: "x",
        task: { code: "T", name: "n", itemCode: "i", year: 2026 },
        pool,
        params: p,
        serverSeed: SERVER_SEED,
        committedAt: "t",
      });
    expect(bad(params({ 中: 4 }))).toThrow(/1 至 3/);
    expect(bad(params({ 中: 1, 高: 1 }))).toThrow(/「高」无检查对象/);
    expect(bad(params({ 中: 1 }, { inspectorsPerTarget: 1 }))).toThrow(/至少为 2/);
  });

  it("a joint task's teams span the joint units", () => {
    const pool: Pool = {
      targets: targets("T", 12),
      inspectors: inspectors(9, ["交通", "公安", "市场"]),
      conflicts: [],
      previousAssignments: [],
    };
    const r = record(pool, params({ 中: 6 }, { jointUnits: ["交通", "公安"] }));
    const unitOf = new Map(pool.inspectors.map((i) => [i.id, i.unit]));
    for (const a of r.selection.assignments) {
      expect(new Set(a.inspectorIds.map((id) => unitOf.get(id)))).toEqual(new Set(["交通", "公安"]));
    }
  });

  it("puts a specialist on every team when the item names a specialty", () => {
    const pool: Pool = {
      targets: targets("T", 20),
      inspectors: inspectors(8, ["U"], (k) => (k % 4 === 0 ? ["危险货物"] : [])),
      conflicts: [],
      previousAssignments: [],
    };
    const r = record(pool, params({ 中: 10 }, { requiredSpecialty: "危险货物" }));
    const specialists = new Set(pool.inspectors.filter((i) => i.specialties.includes("危险货物")).map((i) => i.id));
    for (const a of r.selection.assignments) expect(a.inspectorIds.some((id) => specialists.has(id))).toBe(true);
  });

  it("avoids last draw's pairs, and records the relaxation when there is no other way", () => {
    const base: Pool = {
      targets: targets("T", 2),
      inspectors: inspectors(3),
      conflicts: [["I003", "T001"]],
      previousAssignments: [["T001", "I001"]],
    };
    const r = record(base, params({ 中: 2 }));
    const t1 = r.selection.assignments.find((a) => a.targetId === "T001")!;
    expect(t1.inspectorIds.sort()).toEqual(["I001", "I002"]); // only I001 and I002 are eligible for T001
    expect(r.selection.relaxations).toEqual([{ kind: "previous-pair", targetId: "T001", inspectorId: "I001" }]);

    const roomy = record({ ...base, inspectors: inspectors(6), conflicts: [] }, params({ 中: 2 }));
    expect(roomy.selection.relaxations).toEqual([]);
    expect(roomy.selection.assignments.find((a) => a.targetId === "T001")!.inspectorIds).not.toContain("I001");
  });

  it("balances load to a spread of at most 1 when exclusions allow it (repair step)", () => {
    // Conflicts push the greedy pass off balance; the balancing step must bring it back.
    const conflicts: [string, string][] = targets("T", 8).flatMap((t) => [["I001", t.id] as [string, string]]);
    const r = record(
      { targets: targets("T", 16), inspectors: inspectors(8), conflicts, previousAssignments: [] },
      params({ 中: 16 }),
    );
    expect(spread(r)).toBeLessThanOrEqual(1);
  });

  it("lists infeasible targets with reasons", () => {
    const pool = normalizePool({
      targets: targets("T", 2),
      inspectors: inspectors(2, ["A"]),
      conflicts: [],
      previousAssignments: [],
    });
    expect(infeasibleTargets(pool, params({ 中: 1 }))).toEqual([]);
    expect(infeasibleTargets(pool, params({ 中: 1 }, { jointUnits: ["A", "B"] }))[0]?.reason).toMatch(
      /覆盖 2 个单位，可选人员仅来自 1 个单位/,
    );
    expect(infeasibleTargets(pool, params({ 中: 1 }, { requiredSpecialty: "法律" }))[0]?.reason).toMatch(
      /没有具备「法律」专业/,
    );
    const mixed = normalizePool({
      targets: targets("T", 1),
      inspectors: inspectors(4, ["A", "B"]),
      conflicts: [
        ["I002", "T001"],
        ["I004", "T001"],
      ],
      previousAssignments: [],
    });
    expect(infeasibleTargets(mixed, params({ 中: 1 }, { jointUnits: ["A", "B"] }))[0]?.reason).toMatch(
      /覆盖 2 个单位，可选人员仅来自 1 个单位/,
    );
  });
});
