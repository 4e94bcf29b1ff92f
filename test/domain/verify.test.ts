import { describe, expect, it } from "vitest";
import { amend, currentTeams } from "../../src/domain/draw/amend";
import { StaffingRules } from "../../src/domain/draw/staffing";
import type { DrawRecord, Pool } from "../../src/domain/draw/types";
import { verify } from "../../src/domain/draw/verify";
import { inspectors, params, record, targets } from "../helpers/pools";

const pool: Pool = {
  targets: [...targets("L", 30, "低"), ...targets("M", 20, "中"), ...targets("H", 6, "高")],
  inspectors: inspectors(8, ["交通", "公安"], (k) => (k % 2 === 0 ? ["道路运输"] : [])),
  conflicts: [["I001", "M003"]],
  previousAssignments: [["L001", "I002"]],
};
const base = () => record(pool, params({ 低: 3, 中: 4, 高: 3 }, { requiredSpecialty: "道路运输" }));
const clone = (r: DrawRecord): DrawRecord => JSON.parse(JSON.stringify(r));
const failed = (r: unknown) =>
  verify(r)
    .checks.filter((c) => !c.ok)
    .map((c) => c.id);

describe("verify", () => {
  it("accepts an untouched record and reports every check", () => {
    const v = verify(base());
    expect(v.ok).toBe(true);
    expect(v.checks.map((c) => c.id)).toEqual([
      "format",
      "poolCanonical",
      "poolHash",
      "paramsHash",
      "commitment",
      "seed",
      "counts",
      "feasible",
      "targets",
      "alternates",
      "assignments",
      "relaxations",
      "amendments",
      "hardRules",
    ]);
  });

  it("survives a JSON round trip (what `drbot verify` reads from disk)", () => {
    expect(verify(JSON.parse(JSON.stringify(base()))).ok).toBe(true);
  });

  it("names the check when a selected target is swapped for an alternate", () => {
    const r = clone(base());
    const alt = r.selection.alternates["中"]![0]!;
    r.selection.targets.find((t) => t.stratum === "中")!.id = alt;
    expect(failed(r)).toEqual(["targets"]);
    expect(verify(r).checks.find((c) => c.id === "targets")!.detail).toMatch(/selection.targets\[\d+\]\.id：应为 中\//);
  });

  it("catches a changed pool (hash), changed params, a wrong seed, a forged commitment", () => {
    const pool1 = clone(base());
    pool1.pool.targets.find((t) => t.id === "L001")!.stratum = "中";
    expect(failed(pool1)).toContain("poolHash");

    const params1 = clone(base());
    params1.params.inspectorsPerTarget = 3;
    expect(failed(params1)).toContain("paramsHash");

    const entropy = clone(base());
    entropy.witness.entropy = "something else";
    expect(failed(entropy)).toEqual(["seed"]);

    const server = clone(base());
    server.serverSeed = "f".repeat(64);
    expect(failed(server)).toEqual(expect.arrayContaining(["commitment", "seed"]));
  });

  it("catches a re-dealt team and an unrecorded relaxation", () => {
    const r = clone(base());
    const a = r.selection.assignments[0]!;
    a.inspectorIds = [...a.inspectorIds].reverse();
    expect(failed(r)).toEqual(["assignments"]);
  });

  it("catches a relaxation left out of, or added to, the record", () => {
    // Only I001 and I002 may inspect T001 and I001 inspected it last time: the draw must relax that rule.
    const forced: Pool = {
      targets: targets("T", 2),
      inspectors: inspectors(3),
      conflicts: [["I003", "T001"]],
      previousAssignments: [["T001", "I001"]],
    };
    const r = record(forced, params({ 中: 2 }));
    expect(r.selection.relaxations).toEqual([{ kind: "previous-pair", targetId: "T001", inspectorId: "I001" }]);
    expect(verify(r).ok).toBe(true);

    const hidden = clone(r);
    hidden.selection.relaxations = [];
    expect(failed(hidden)).toEqual(["relaxations"]);

    const invented = clone(r);
    invented.selection.relaxations.push({
      kind: "previous-pair",
      targetId: "T002",
      inspectorId: invented.selection.assignments.find((a) => a.targetId === "T002")!.inspectorIds[0]!,
    });
    expect(failed(invented)).toEqual(["relaxations"]);
  });

  it("rejects malformed input with a clear message instead of throwing", () => {
    expect(verify({ version: 2 }).checks[0]).toMatchObject({ id: "format", ok: false });
    expect(verify(null).ok).toBe(false);
    const unsorted = clone(base());
    unsorted.pool.targets.reverse();
    expect(failed(unsorted)).toContain("poolCanonical");
  });
});

describe("recusal amendments", () => {
  it("pick a deterministic replacement that keeps every hard rule, and verify replays them", () => {
    const r0 = base();
    const team = r0.selection.assignments[0]!;
    const r1 = amend(r0, { inspectorId: team.inspectorIds[0]!, targetId: team.targetId, at: "2026-11-26T01:00:00Z" });
    const r1again = amend(r0, {
      inspectorId: team.inspectorIds[0]!,
      targetId: team.targetId,
      at: "2026-11-26T01:00:00Z",
    });
    expect(r1).toEqual(r1again);
    const a = r1.amendments[0]!;
    expect(a.replacementId).not.toBe(a.inspectorId);
    expect(team.inspectorIds).not.toContain(a.replacementId);
    const now = currentTeams(r1).find((t) => t.targetId === team.targetId)!;
    expect(now.inspectorIds).toContain(a.replacementId);
    expect(now.inspectorIds).not.toContain(a.inspectorId);
    const rules = new StaffingRules(r1.pool, r1.params, [[a.inspectorId, a.targetId]]);
    expect(rules.teamProblems(now.targetId, now.inspectorIds)).toEqual([]);
    expect(verify(r1).ok).toBe(true);

    // A second recusal on the same target never brings back the first recused inspector.
    const r2 = amend(r1, { inspectorId: a.replacementId, targetId: team.targetId, at: "2026-11-26T02:00:00Z" });
    expect(r2.amendments[1]!.replacementId).not.toBe(a.inspectorId);
    expect(verify(r2).ok).toBe(true);
  });

  it("a forged replacement fails verification, naming the amendment", () => {
    const r0 = base();
    const team = r0.selection.assignments[1]!;
    const r1 = clone(
      amend(r0, { inspectorId: team.inspectorIds[1]!, targetId: team.targetId, at: "2026-11-26T01:00:00Z" }),
    );
    const others = r1.pool.inspectors
      .map((i) => i.id)
      .filter((id) => !team.inspectorIds.includes(id) && id !== r1.amendments[0]!.replacementId);
    r1.amendments[0]!.replacementId = others[0]!;
    const v = verify(r1);
    expect(v.ok).toBe(false);
    expect(v.checks.find((c) => c.id === "amendments")!.detail).toMatch(
      /amendments\[0\]\.replacementId（第 1 次回避）：替换人应为/,
    );
  });

  it("refuses when nobody can replace, and when the inspector is not on that team", () => {
    const tight = record(
      { targets: targets("T", 1), inspectors: inspectors(2), conflicts: [], previousAssignments: [] },
      params({ 中: 1 }),
    );
    expect(() => amend(tight, { inspectorId: "I001", targetId: "T001", at: "t" })).toThrow(/没有可替换/);
    expect(() => amend(tight, { inspectorId: "I009", targetId: "T001", at: "t" })).toThrow(/未被派往/);
  });
});
