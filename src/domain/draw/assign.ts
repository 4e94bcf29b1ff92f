import { AppError } from "../errors";
import { pairTicket, RankedCandidates, type Staff, type StaffingRules } from "./staffing";
import type { Relaxation, SelectedTarget, TeamAssignment } from "./types";

/**
 * Inspector assignment — a deterministic function of the record (documented in README.md):
 *
 * 1. Order the selected targets most-constrained first: fewest eligible inspectors, then ticket, then id.
 * 2. For each target, rank its eligible inspectors by (pair from `previousAssignments` last,
 *    current load ascending), and within each such group in a uniformly random order drawn from
 *    the stream sha256(seed|targetId|b) (see RankedCandidates); build the team from that ranking:
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
  const load = new Int32Array(rules.inspectors.length);

  const order = targets
    .map((t) => ({ t, eligible: rules.eligibleCount(t.id) }))
    .sort(
      (a, b) =>
        a.eligible - b.eligible ||
        (a.t.ticket < b.t.ticket ? -1 : a.t.ticket > b.t.ticket ? 1 : 0) ||
        (a.t.id < b.t.id ? -1 : 1),
    )
    .map((x) => x.t);

  const teams = new Map<string, Staff[]>();
  for (const target of order) {
    const team = buildTeam(target.id, rules, `${seed}|${target.id}`, rules.eligible(target.id), load);
    for (const member of team) load[member.idx]!++;
    teams.set(target.id, team);
  }

  balance(order, teams, load, rules, seed);

  const assignments = targets.map((t) => ({ targetId: t.id, inspectorIds: teams.get(t.id)!.map((i) => i.id) }));
  const relaxations: Relaxation[] = [];
  for (const a of assignments) {
    for (const id of a.inspectorIds) {
      if (rules.isPrevious(a.targetId, id))
        relaxations.push({ kind: "previous-pair", targetId: a.targetId, inspectorId: id });
    }
  }
  return { assignments, relaxations };
}

/**
 * Step 2 for one target: the first specialist, then one per missing unit, then anyone — each the
 * first in rank order among `candidates` (in pool order) that isn't in the team yet.
 */
function buildTeam(
  targetId: string,
  rules: StaffingRules,
  streamKey: string,
  candidates: readonly Staff[],
  load: Int32Array,
): Staff[] {
  const previous = rules.previousOf(targetId);
  const ranked = new RankedCandidates(streamKey, candidates, (c) => rules.groupKey(previous, c, load));
  const team: Staff[] = [];
  const take = (accept: (i: Staff) => boolean): boolean => {
    const c = ranked.find((i) => !team.includes(i) && accept(i));
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
    throw new AppError(
      "INSUFFICIENT_ELIGIBLE_INSPECTORS",
      `检查对象 ${targetId} 无法配齐执法人员：${rules.staffingProblem(targetId) ?? "规则冲突"}`,
      {
        targetId,
      },
    );
  }
  return team;
}

function balance(
  order: readonly SelectedTarget[],
  teams: Map<string, Staff[]>,
  load: Int32Array,
  rules: StaffingRules,
  seed: string,
): void {
  while (load.length > 0) {
    let max = -Infinity;
    let min = Infinity;
    for (const l of load) {
      max = Math.max(max, l);
      min = Math.min(min, l);
    }
    if (max - min < 2 || !moveOneSlot(order, teams, load, rules, seed, max, min)) return;
  }
}

function moveOneSlot(
  order: readonly SelectedTarget[],
  teams: Map<string, Staff[]>,
  load: Int32Array,
  rules: StaffingRules,
  seed: string,
  max: number,
  min: number,
): boolean {
  const lows = rules.inspectors.filter((i) => load[i.idx] === min);
  for (const hi of rules.inspectors) {
    if (load[hi.idx] !== max) continue;
    for (const target of order) {
      const team = teams.get(target.id)!;
      const slot = team.indexOf(hi);
      if (slot < 0) continue;
      const candidates = lows
        .filter(
          (lo) => !team.includes(lo) && !rules.isConflicted(target.id, lo.id) && !rules.isPrevious(target.id, lo.id),
        )
        .map((lo) => ({ lo, t: pairTicket(seed, target.id, lo.id) }))
        .sort((a, b) => (a.t < b.t ? -1 : 1));
      for (const { lo } of candidates) {
        const next = [...team];
        next[slot] = lo;
        if (
          rules.teamProblems(
            target.id,
            next.map((i) => i.id),
          ).length > 0
        )
          continue;
        teams.set(target.id, next);
        load[hi.idx]!--;
        load[lo.idx]!++;
        return true;
      }
    }
  }
  return false;
}

/** A recusal's replacement: the first candidate in rank order with whom the team keeps every hard rule. */
export function pickReplacement(
  targetId: string,
  rules: StaffingRules,
  streamKey: string,
  team: readonly string[],
  slot: number,
  load: Int32Array,
): string | undefined {
  const candidates = rules.eligible(targetId).filter((i) => !team.includes(i.id));
  const previous = rules.previousOf(targetId);
  const ranked = new RankedCandidates(streamKey, candidates, (c) => rules.groupKey(previous, c, load));
  return ranked.find((c) => {
    const next = [...team];
    next[slot] = c.id;
    return rules.teamProblems(targetId, next).length === 0;
  })?.id;
}
