import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { canonicalJson } from "../../src/domain/canonical";
import { infeasibleTargets, normalizePool, runDraw } from "../../src/domain/draw/record";
import { StaffingRules } from "../../src/domain/draw/staffing";
import { STRATA, type DrawParams, type Pool, type Stratum } from "../../src/domain/draw/types";
import { ticketOrder } from "../../src/domain/sampler";
import { params, record, spread } from "../helpers/pools";

/** A random but well-formed pool: distinct ids, random strata, units, specialties, conflicts, previous pairs. */
const poolArb = (opts: { exclusions: boolean }) =>
  fc
    .record({
      nTargets: fc.integer({ min: 1, max: 40 }),
      nInspectors: fc.integer({ min: 3, max: 12 }),
      strata: fc.array(fc.constantFrom(...STRATA), { minLength: 40, maxLength: 40 }),
      units: fc.array(fc.constantFrom("交通", "公安", "市场"), { minLength: 12, maxLength: 12 }),
      conflictBits: fc.array(fc.boolean(), { minLength: 480, maxLength: 480 }),
      previousBits: fc.array(fc.boolean(), { minLength: 480, maxLength: 480 }),
      ratioPct: fc.integer({ min: 1, max: 100 }),
    })
    .map(({ nTargets, nInspectors, strata, units, conflictBits, previousBits, ratioPct }) => {
      const targets = Array.from({ length: nTargets }, (_, k) => ({ id: `T${k}`, stratum: strata[k]! }));
      const inspectors = Array.from({ length: nInspectors }, (_, k) => ({
        id: `I${k}`,
        unit: units[k]!,
        specialties: k % 3 === 0 ? ["危险货物"] : [],
      }));
      const conflicts: [string, string][] = [];
      const previousAssignments: [string, string][] = [];
      if (opts.exclusions) {
        targets.forEach((t, a) =>
          inspectors.forEach((i, b) => {
            if (conflictBits[(a * 12 + b) % 480] && (a + b) % 4 === 0) conflicts.push([i.id, t.id]);
            if (previousBits[(a * 12 + b) % 480] && (a + b) % 5 === 0) previousAssignments.push([t.id, i.id]);
          }),
        );
      }
      const perStratum: DrawParams["perStratum"] = {};
      for (const s of STRATA) {
        const n = targets.filter((t) => t.stratum === s).length;
        if (n > 0) perStratum[s] = Math.max(1, Math.ceil((n * ratioPct) / 100));
      }
      return { pool: { targets, inspectors, conflicts, previousAssignments } as Pool, perStratum };
    });

const shuffled = <T>(xs: T[], seed: number): T[] => {
  const out = [...xs];
  let s = seed;
  for (let k = out.length - 1; k > 0; k--) {
    s = (s * 1103515245 + 12345) % 2147483648;
    const j = s % (k + 1);
    [out[k], out[j]] = [out[j]!, out[k]!];
  }
  return out;
};

// Fixed: the same generated pools every run, so a threshold on how many were feasible can't flake
// (a 15x larger run over random seeds found no counterexample when this was pinned).
const SEED = 20261202;

describe("draw properties", () => {
  it("input order doesn't matter: the record is byte-identical", () => {
    let exercised = 0;
    fc.assert(
      fc.property(poolArb({ exclusions: true }), fc.integer({ min: 1, max: 1e6 }), ({ pool, perStratum }, s) => {
        const p = params(perStratum);
        if (infeasibleTargets(normalizePool(pool), p).length > 0) return;
        const a = record(pool, p);
        const b = record(
          {
            targets: shuffled(pool.targets, s),
            inspectors: shuffled(pool.inspectors, s + 1),
            conflicts: shuffled(pool.conflicts, s + 2),
            previousAssignments: shuffled(pool.previousAssignments, s + 3),
          },
          p,
        );
        expect(canonicalJson(b)).toBe(canonicalJson(a));
        exercised++;
      }),
      { numRuns: 60, seed: SEED },
    );
    expect(exercised).toBeGreaterThan(20); // most generated pools are feasible; the property isn't vacuous
  });

  it("identical inputs give byte-identical records", () => {
    fc.assert(
      fc.property(poolArb({ exclusions: true }), ({ pool, perStratum }) => {
        const p = params(perStratum);
        if (infeasibleTargets(normalizePool(pool), p).length > 0) return;
        expect(JSON.stringify(record(pool, p))).toBe(JSON.stringify(record(pool, p)));
      }),
      { numRuns: 30, seed: SEED },
    );
  });

  it("consistency: with counts fixed, removing an unselected target changes neither selection nor teams", () => {
    let exercised = 0;
    fc.assert(
      fc.property(poolArb({ exclusions: true }), fc.nat(), ({ pool, perStratum }, pick) => {
        const p = params(perStratum);
        const norm = normalizePool(pool);
        if (infeasibleTargets(norm, p).length > 0) return;
        const full = runDraw(norm, p, "consistency-seed");
        const selected = new Set(full.targets.map((t) => t.id));
        const unselected = norm.targets.filter((t) => !selected.has(t.id));
        if (unselected.length === 0) return;
        const drop = unselected[pick % unselected.length]!.id;
        const smaller = normalizePool({
          ...norm,
          targets: norm.targets.filter((t) => t.id !== drop),
          conflicts: norm.conflicts.filter(([, t]) => t !== drop),
        });
        const again = runDraw(smaller, p, "consistency-seed");
        expect(again.targets).toEqual(full.targets);
        expect(again.assignments).toEqual(full.assignments);
        exercised++;
      }),
      { numRuns: 60, seed: SEED },
    );
    expect(exercised).toBeGreaterThan(15);
  });

  it("hard rules always hold: no conflict, ≥ m distinct, specialist, joint units", () => {
    let feasible = 0;
    let infeasibleSeen = 0;
    fc.assert(
      fc.property(
        poolArb({ exclusions: true }),
        fc.integer({ min: 2, max: 3 }),
        fc.boolean(),
        fc.boolean(),
        ({ pool, perStratum }, m, specialty, joint) => {
          const p = params(perStratum, {
            inspectorsPerTarget: m,
            requiredSpecialty: specialty ? "危险货物" : null,
            jointUnits: joint ? ["交通", "公安"] : [],
          });
          const norm = normalizePool(pool);
          const infeasible = infeasibleTargets(norm, p);
          if (infeasible.length > 0) {
            expect(() => record(pool, p)).toThrow(/无法保证每户都能配齐执法人员/);
            infeasibleSeen++;
            return;
          }
          const r = record(pool, p);
          const rules = new StaffingRules(r.pool, r.params);
          const conflicts = new Set(r.pool.conflicts.map(([i, t]) => `${i}|${t}`));
          for (const a of r.selection.assignments) {
            expect(new Set(a.inspectorIds).size).toBe(a.inspectorIds.length);
            expect(a.inspectorIds.length).toBeGreaterThanOrEqual(m);
            for (const id of a.inspectorIds) expect(conflicts.has(`${id}|${a.targetId}`)).toBe(false);
            expect(rules.teamProblems(a.targetId, a.inspectorIds)).toEqual([]);
          }
          feasible++;
        },
      ),
      { numRuns: 120, seed: SEED },
    );
    expect(feasible).toBeGreaterThan(30);
    expect(infeasibleSeen).toBeGreaterThan(0); // the refusal path was exercised too
  });

  it("load spread ≤ 1 without exclusions", () => {
    fc.assert(
      fc.property(
        poolArb({ exclusions: false }),
        fc.integer({ min: 2, max: 3 }),
        fc.string(),
        ({ pool, perStratum }, m, entropy) => {
          if (pool.inspectors.length < m) return;
          const r = record(pool, params(perStratum, { inspectorsPerTarget: m }), `e${entropy}`);
          expect(spread(r)).toBeLessThanOrEqual(1);
          expect(r.selection.relaxations).toEqual([]);
        },
      ),
      { numRuns: 120, seed: SEED },
    );
  });
});

describe("fairness (Monte-Carlo over fixed seeds, deterministic)", () => {
  it("each target's inclusion frequency is n/N within 1 percentage point", () => {
    const ids = Array.from({ length: 20 }, (_, k) => `91330122MA2${String(k).padStart(6, "0")}`);
    const n = 5;
    const trials = 40_000;
    const hits = new Map(ids.map((id) => [id, 0]));
    for (let k = 0; k < trials; k++) {
      for (const t of ticketOrder(ids, `mc-${k}`).slice(0, n)) hits.set(t.id, hits.get(t.id)! + 1);
    }
    for (const [id, h] of hits) expect(Math.abs(h / trials - n / ids.length), id).toBeLessThan(0.01);
  });

  it("inspectors are chosen evenly across draws too (no one is systematically favoured)", () => {
    const pool: Pool = {
      targets: Array.from({ length: 6 }, (_, k) => ({ id: `T${k}`, stratum: "中" as Stratum })),
      inspectors: Array.from({ length: 8 }, (_, k) => ({ id: `I${k}`, unit: "U", specialties: [] })),
      conflicts: [],
      previousAssignments: [],
    };
    const p = params({ 中: 2 });
    const counts = new Map<string, number>();
    const trials = 4000;
    for (let k = 0; k < trials; k++) {
      for (const a of runDraw(pool, p, `seed-${k}`).assignments)
        for (const id of a.inspectorIds) counts.set(id, (counts.get(id) ?? 0) + 1);
    }
    // 2 targets × 2 inspectors per draw over 8 people: each is expected 0.5 times per draw.
    for (const [, c] of counts) expect(Math.abs(c / trials - 0.5)).toBeLessThan(0.03);
  });
});
