import { AppError } from "../errors";
import { pairTicket, RankedCandidates, type StaffingRules } from "./staffing";
import type { PoolInspector, Relaxation, SelectedTarget, TeamAssignment } from "./types";

/**
 * Inspector assignment — a deterministic function of the record (documented in README.md):
 *
 * 1. Order the selected targets most-constrained first: fewest eligible inspectors, then ticket, then id.
 * 2. For each target, rank its eligible inspectors by (pair from `previousAssignments` last,
 *    current load ascending, pairTicket ascending) and build the team from that ranking:
 *    the first specialist (if a specialty is required); then, for a joint task, the first
 *    inspector of each unit not yet in the team until enough units are spanned; then the first
 *    remaining inspectors until the team has m members. A previous pair that ends up in a team is
 *    recorded as a relaxation.
 * 3. Balance: while max load − min load ≥ 2, move one slot from a most-loaded inspector to a
 *    least-loaded one where the team stays valid and no new previous pair appears (most-loaded
 *    inspectors by id, their targets in processing order, least-loaded candidates by pair ticket).
 *    Each move lowers the sum of squared loads, so this ends.
 *
 * Teams are reported in selection order, members in pick order.
 */
export function assignInspectors(
  targets: readonly SelectedTarget[],
  rules: StaffingRules,
  seed: string,
): { assignments: TeamAssignment[]; relaxations: Relaxation[] } {
  const load = new Map<string, number>(rules.inspectors.map((i) => [i.id, 0]));
  const loadOf = (id: string) => load.get(id) ?? 0;

  const order = targets
    .map((t) => ({ t, eligible: rules.eligibleCount(t.id) }))
    .sort((a, b) => a.eligible - b.eligible || (a.t.ticket < b.t.ticket ? -1 : a.t.ticket > b.t.ticket ? 1 : 0) || (a.t.id < b.t.id ? -1 : 1))
    .map((x) => x.t);

  const teams = new Map<string, string[]>();
  for (const target of order) {
    const team = buildTeam(target.id, rules, seed, loadOf);
    for (const id of team) load.set(id, loadOf(id) + 1);
    teams.set(target.id, team);
  }

  balance(order, teams, load, rules, seed);

  const assignments = targets.map((t) => ({ targetId: t.id, inspectorIds: teams.get(t.id)! }));
  const relaxations: Relaxation[] = [];
  for (const a of assignments) {
    for (const id of a.inspectorIds) {
      if (rules.isPrevious(a.targetId, id)) relaxations.push({ kind: "previous-pair", targetId: a.targetId, inspectorId: id });
    }
  }
  return { assignments, relaxations };
}

/** Step 2 for one target; also used to pick a recusal replacement's ranking. */
export function buildTeam(targetId: string, rules: StaffingRules, seed: string, loadOf: (id: string) => number): string[] {
  const ranked = new RankedCandidates(seed, targetId, rules.eligible(targetId), loadOf, (id) => rules.isPrevious(targetId, id));
  const team: PoolInspector[] = [];
  const inTeam = (i: PoolInspector) => team.some((x) => x.id === i.id);
  const take = (accept: (i: PoolInspector) => boolean): boolean => {
    const c = ranked.find((i) => !inTeam(i) && accept(i));
    if (c) team.push(c);
    return c !== undefined;
  };

  let ok = rules.params.requiredSpecialty === null || take((i) => rules.hasSpecialty(i));
  while (ok && new Set(team.map((i) => i.unit)).size < rules.unitsToSpan) {
    ok = take((i) => !team.some((x) => x.unit === i.unit));
  }
  while (ok && team.length < rules.m) ok = take(() => true);
  if (!ok) {
    // Unreachable after the feasibility check, which every caller runs first; kept as a guard.
    throw new AppError("INSUFFICIENT_ELIGIBLE_INSPECTORS", `检查对象 ${targetId} 无法配齐执法人员：${rules.staffingProblem(targetId) ?? "规则冲突"}`, {
      targetId,
    });
  }
  return team.map((i) => i.id);
}

function balance(
  order: readonly SelectedTarget[],
  teams: Map<string, string[]>,
  load: Map<string, number>,
  rules: StaffingRules,
  seed: string,
): void {
  const ids = rules.inspectors.map((i) => i.id); // already in id order
  for (;;) {
    let max = -Infinity;
    let min = Infinity;
    for (const id of ids) {
      const l = load.get(id)!;
      max = Math.max(max, l);
      min = Math.min(min, l);
    }
    if (ids.length === 0 || max - min < 2) return;
    if (!moveOneSlot(order, teams, load, rules, seed, max, min)) return;
  }
}

function moveOneSlot(
  order: readonly SelectedTarget[],
  teams: Map<string, string[]>,
  load: Map<string, number>,
  rules: StaffingRules,
  seed: string,
  max: number,
  min: number,
): boolean {
  const lows = rules.inspectors.filter((i) => load.get(i.id) === min);
  for (const hi of rules.inspectors) {
    if (load.get(hi.id) !== max) continue;
    for (const target of order) {
      const team = teams.get(target.id)!;
      const slot = team.indexOf(hi.id);
      if (slot < 0) continue;
      const candidates = lows
        .filter((lo) => !team.includes(lo.id) && !rules.isConflicted(target.id, lo.id) && !rules.isPrevious(target.id, lo.id))
        .map((lo) => ({ lo, t: pairTicket(seed, target.id, lo.id) }))
        .sort((a, b) => (a.t < b.t ? -1 : 1));
      for (const { lo } of candidates) {
        const next = [...team];
        next[slot] = lo.id;
        if (rules.teamProblems(target.id, next).length > 0) continue;
        teams.set(target.id, next);
        load.set(hi.id, max - 1);
        load.set(lo.id, min + 1);
        return true;
      }
    }
  }
  return false;
}
