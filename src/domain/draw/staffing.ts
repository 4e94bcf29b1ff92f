import { sha256Hex } from "../canonical";
import type { DrawParams, Pool, PoolInspector } from "./types";

/**
 * The hard rules of inspector assignment, shared by assignment, recusal, feasibility and verify:
 * an inspector is eligible for a target when (for a joint task) their unit is one of the joint
 * units and they are not conflicted with it; a team has ≥ m distinct eligible members, at least one
 * with the required specialty (if any), spanning min(#jointUnits, m) units (joint task).
 */
/** A pool inspector with its position in the pool, so loads can live in a typed array. */
export interface Staff extends PoolInspector {
  idx: number;
}

/** Group key offset that ranks every previous-draw pair after every fresh one. */
const PREVIOUS_PAIR_OFFSET = 1 << 20;

export class StaffingRules {
  readonly m: number;
  readonly unitsToSpan: number;
  readonly inspectors: readonly Staff[];
  private readonly byId = new Map<string, Staff>();
  private readonly conflicted = new Map<string, Set<string>>(); // targetId → inspector ids
  private readonly previous = new Map<string, Set<string>>(); // targetId → inspector ids
  private readonly allUnits: Set<string>;
  private readonly specialists: number;

  constructor(
    pool: Pool,
    readonly params: DrawParams,
    extraConflicts: Iterable<[inspectorId: string, targetId: string]> = [],
  ) {
    const joint = new Set(params.jointUnits);
    this.inspectors = pool.inspectors
      .filter((i) => joint.size === 0 || joint.has(i.unit))
      .map((i, idx) => ({ ...i, idx }));
    for (const i of this.inspectors) this.byId.set(i.id, i);
    for (const [inspectorId, targetId] of [...pool.conflicts, ...extraConflicts])
      addTo(this.conflicted, targetId, inspectorId);
    for (const [targetId, inspectorId] of pool.previousAssignments) addTo(this.previous, targetId, inspectorId);
    this.m = params.inspectorsPerTarget;
    this.unitsToSpan = joint.size > 0 ? Math.min(joint.size, this.m) : 0;
    this.allUnits = new Set(this.inspectors.map((i) => i.unit));
    this.specialists = this.inspectors.filter((i) => this.hasSpecialty(i)).length;
  }

  inspector(id: string): Staff | undefined {
    return this.byId.get(id);
  }

  /** Inspectors paired with this target in the previous draw of the item (soft rule), if any. */
  previousOf(targetId: string): ReadonlySet<string> | undefined {
    return this.previous.get(targetId);
  }

  /** Rank group of a candidate for a target: fresh pairs by load, then previous pairs by load. */
  groupKey(previous: ReadonlySet<string> | undefined, c: Staff, load: Int32Array): number {
    return (previous?.has(c.id) ? PREVIOUS_PAIR_OFFSET : 0) + load[c.idx]!;
  }

  hasSpecialty(i: PoolInspector): boolean {
    return this.params.requiredSpecialty === null || i.specialties.includes(this.params.requiredSpecialty);
  }

  isConflicted(targetId: string, inspectorId: string): boolean {
    return this.conflicted.get(targetId)?.has(inspectorId) ?? false;
  }

  isPrevious(targetId: string, inspectorId: string): boolean {
    return this.previous.get(targetId)?.has(inspectorId) ?? false;
  }

  /** Eligible inspectors for a target, in pool (id) order. */
  eligible(targetId: string): Staff[] {
    const c = this.conflicted.get(targetId);
    return c ? this.inspectors.filter((i) => !c.has(i.id)) : [...this.inspectors];
  }

  /** How many inspectors are eligible; cheap for the common unconflicted target. */
  eligibleCount(targetId: string): number {
    const c = this.conflicted.get(targetId);
    if (!c) return this.inspectors.length;
    let conflictedInPool = 0;
    for (const id of c) if (this.byId.has(id)) conflictedInPool++;
    return this.inspectors.length - conflictedInPool;
  }

  /**
   * Why no valid team can exist for this target whatever the loads (Chinese), or null.
   * A team exists iff ≥ m eligible, enough distinct units, and a specialist among them:
   * take the specialist, one member of each other unit needed, then anyone.
   */
  staffingProblem(targetId: string): string | null {
    const conflicted = this.conflicted.has(targetId);
    const eligible = conflicted ? this.eligible(targetId) : null;
    const count = eligible ? eligible.length : this.inspectors.length;
    if (count < this.m) return `可选执法人员仅 ${count} 名（需要 ${this.m} 名；已排除回避关系）`;
    if (this.params.requiredSpecialty !== null) {
      const specialists = eligible ? eligible.filter((i) => this.hasSpecialty(i)).length : this.specialists;
      if (specialists === 0) return `没有具备「${this.params.requiredSpecialty}」专业且无须回避的执法人员`;
    }
    if (this.unitsToSpan > 0) {
      const units = eligible ? new Set(eligible.map((i) => i.unit)).size : this.allUnits.size;
      if (units < this.unitsToSpan) return `联合检查需覆盖 ${this.unitsToSpan} 个单位，可选人员仅来自 ${units} 个单位`;
    }
    return null;
  }

  /** Every hard rule a team breaks for a target (Chinese), empty when the team is valid. */
  teamProblems(targetId: string, team: readonly string[]): string[] {
    const problems: string[] = [];
    if (new Set(team).size !== team.length) problems.push("同一人重复");
    if (team.length < this.m) problems.push(`人数 ${team.length} 少于 ${this.m}`);
    const members = team.map((id) => this.byId.get(id));
    team.forEach((id, k) => {
      if (!members[k]) problems.push(`${id} 不在可选人员中`);
      else if (this.isConflicted(targetId, id)) problems.push(`${id} 与该对象存在回避关系`);
    });
    const known = members.filter((i): i is Staff => i !== undefined);
    if (this.params.requiredSpecialty !== null && !known.some((i) => this.hasSpecialty(i))) {
      problems.push(`无「${this.params.requiredSpecialty}」专业人员`);
    }
    if (this.unitsToSpan > 0 && new Set(known.map((i) => i.unit)).size < this.unitsToSpan) {
      problems.push(`未覆盖 ${this.unitsToSpan} 个联合单位`);
    }
    return problems;
  }
}

function addTo(map: Map<string, Set<string>>, key: string, value: string): void {
  let set = map.get(key);
  if (!set) map.set(key, (set = new Set()));
  set.add(value);
}

/** The per-pair random order: sha256_hex(seed + "|" + targetId + "|" + inspectorId), compared as hex text. */
export function pairTicket(seed: string, targetId: string, inspectorId: string): string {
  return sha256Hex(`${seed}|${targetId}|${inspectorId}`);
}

/**
 * Deterministic uniform integers: block b = SHA-256 of `${key}|${b}` (b = 0, 1, …), read as eight
 * big-endian 32-bit words; `below(n)` takes the next word x, rejects it when x ≥ 2^32 − (2^32 mod n)
 * (so every residue is equally likely) and returns x mod n.
 */
class UniformStream {
  private block = -1;
  private words = new Uint32Array(0);
  private pos = 0;

  constructor(private readonly key: string) {}

  below(n: number): number {
    if (n <= 1) return 0;
    const limit = 2 ** 32 - (2 ** 32 % n);
    for (;;) {
      if (this.pos === this.words.length) {
        const hex = sha256Hex(`${this.key}|${++this.block}`);
        this.words = Uint32Array.from({ length: 8 }, (_, k) => parseInt(hex.slice(k * 8, k * 8 + 8), 16));
        this.pos = 0;
      }
      const x = this.words[this.pos++]!;
      if (x < limit) return x % n;
    }
  }
}

/**
 * Candidates for one target in rank order: groups by (pair from the previous draw last, load
 * ascending); inside a group, a uniformly random order — a Fisher–Yates shuffle of the group's
 * members in id order, driven by the stream and generated only as far as it is read. Reading the
 * first few candidates therefore costs a hash or two, not one per inspector.
 */
export class RankedCandidates {
  private readonly groups: Staff[][];
  private readonly ranked: Staff[] = [];
  private readonly stream: UniformStream;
  private group = 0;
  private shuffled = 0; // members of groups[group] already placed in `ranked`

  /** `candidates` must be in id order (pool order), so each group starts in id order too. */
  constructor(streamKey: string, candidates: readonly Staff[], groupKey: (c: Staff) => number) {
    this.stream = new UniformStream(streamKey);
    const byKey = new Map<number, Staff[]>();
    for (const c of candidates) {
      const key = groupKey(c);
      let g = byKey.get(key);
      if (!g) byKey.set(key, (g = []));
      g.push(c);
    }
    this.groups = [...byKey.keys()].sort((a, b) => a - b).map((k) => byKey.get(k)!);
  }

  /** The first candidate (in rank order) that satisfies `accept`, or undefined. */
  find(accept: (i: Staff) => boolean): Staff | undefined {
    for (let k = 0; ; k++) {
      if (k === this.ranked.length && !this.extend()) return undefined;
      const c = this.ranked[k]!;
      if (accept(c)) return c;
    }
  }

  /** One more Fisher–Yates step: swap a uniformly chosen remaining member to the front. */
  private extend(): boolean {
    let g = this.groups[this.group];
    while (g && this.shuffled === g.length) {
      g = this.groups[++this.group];
      this.shuffled = 0;
    }
    if (!g) return false;
    const j = this.shuffled + this.stream.below(g.length - this.shuffled);
    [g[this.shuffled], g[j]] = [g[j]!, g[this.shuffled]!];
    this.ranked.push(g[this.shuffled++]!);
    return true;
  }
}
