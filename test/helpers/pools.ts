import { sha256Hex } from "../../src/domain/canonical";
import { freeze, reveal } from "../../src/domain/draw/record";
import type { DrawParams, DrawRecord, Pool, PoolInspector, PoolTarget, Stratum } from "../../src/domain/draw/types";

/** Small builders for draw-engine tests. */

export function targets(prefix: string, n: number, stratum: Stratum = "中"): PoolTarget[] {
  return Array.from({ length: n }, (_, k) => ({ id: `${prefix}${String(k + 1).padStart(3, "0")}`, stratum }));
}

export function inspectors(
  n: number,
  units: string[] = ["U1"],
  specialties: (k: number) => string[] = () => [],
): PoolInspector[] {
  return Array.from({ length: n }, (_, k) => ({
    id: `I${String(k + 1).padStart(3, "0")}`,
    unit: units[k % units.length]!,
    specialties: specialties(k),
  }));
}

export function params(perStratum: DrawParams["perStratum"], extra: Partial<DrawParams> = {}): DrawParams {
  return {
    perStratum,
    inspectorsPerTarget: 2,
    requiredSpecialty: null,
    jointUnits: [],
    algorithm: "drbot-draw/1",
    ...extra,
  };
}

export const SERVER_SEED = sha256Hex("test server seed");

/** Freeze + reveal with fixed seeds: the full record a real draw would publish. */
export function record(pool: Pool, p: DrawParams, entropy = "witness-1234", serverSeed = SERVER_SEED): DrawRecord {
  const c = freeze({
    drawId: "T-1",
    task: { code: "T", name: "测试任务", itemCode: "I-1", year: 2026 },
    pool,
    params: p,
    serverSeed,
    committedAt: "2026-11-25T08:00:00.000Z",
  });
  return reveal(c, serverSeed, { openId: "ou_witness", entropy, at: "2026-11-25T08:01:00.000Z" });
}

export function loads(r: DrawRecord): Map<string, number> {
  const m = new Map(r.pool.inspectors.map((i) => [i.id, 0]));
  for (const a of r.selection.assignments) for (const id of a.inspectorIds) m.set(id, (m.get(id) ?? 0) + 1);
  return m;
}

export function spread(r: DrawRecord): number {
  const v = [...loads(r).values()];
  return Math.max(...v) - Math.min(...v);
}
