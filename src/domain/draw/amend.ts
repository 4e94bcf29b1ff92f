import { AppError } from "../errors";
import { pickReplacement } from "./assign";
import { StaffingRules } from "./staffing";
import type { Amendment, DrawRecord, TeamAssignment } from "./types";

/** The teams after replaying every amendment in order (the replacement takes the recused member's place). */
export function currentTeams(record: DrawRecord): TeamAssignment[] {
  const teams = record.selection.assignments.map((a) => ({ targetId: a.targetId, inspectorIds: [...a.inspectorIds] }));
  const byTarget = new Map(teams.map((t) => [t.targetId, t]));
  for (const a of record.amendments) {
    const team = byTarget.get(a.targetId);
    const slot = team?.inspectorIds.indexOf(a.inspectorId) ?? -1;
    if (team && slot >= 0) team.inspectorIds[slot] = a.replacementId;
  }
  return teams;
}

/**
 * The replacement for a recused inspector — a deterministic function of the record: the recusal
 * becomes a conflict (as do all earlier ones), and the replacement is the first eligible inspector,
 * ranked like stage 2 (previous pair last, current load, random order from the stream
 * sha256(seed|targetId|recusal-k|b), k = number of earlier amendments), with whom the team still
 * keeps every hard rule.
 */
export function replacementFor(
  record: DrawRecord,
  inspectorId: string,
  targetId: string,
  priorAmendments: readonly Amendment[],
): string {
  const upTo: DrawRecord = { ...record, amendments: [...priorAmendments] };
  const team = currentTeams(upTo).find((t) => t.targetId === targetId);
  if (!team) throw new AppError("NOT_SELECTED", `检查对象 ${targetId} 不在本次抽取结果中`);
  const slot = team.inspectorIds.indexOf(inspectorId);
  if (slot < 0) throw new AppError("NOT_ON_TEAM", `执法人员 ${inspectorId} 未被派往 ${targetId}`);

  const recusals: [string, string][] = [...priorAmendments, { inspectorId, targetId }].map((a) => [
    a.inspectorId,
    a.targetId,
  ]);
  const rules = new StaffingRules(record.pool, record.params, recusals);
  const load = new Int32Array(rules.inspectors.length);
  for (const t of currentTeams(upTo)) {
    for (const id of t.inspectorIds) {
      const member = rules.inspector(id);
      if (member) load[member.idx]!++;
    }
  }
  // Its own stream per amendment, so a replacement never depends on how the draw consumed randomness.
  const choice = pickReplacement(
    targetId,
    rules,
    `${record.seed}|${targetId}|recusal-${priorAmendments.length}`,
    team.inspectorIds,
    slot,
    load,
  );
  if (!choice) {
    throw new AppError(
      "NO_REPLACEMENT",
      `没有可替换 ${inspectorId} 的执法人员（${targetId}）：其余人员均须回避或不满足专业、单位要求`,
    );
  }
  return choice;
}

/**
 * Appends an amendment (a recusal, or a withdrawal of someone who left: the replacement is chosen
 * exactly the same way); the record is otherwise unchanged.
 */
export function amend(
  record: DrawRecord,
  change: { inspectorId: string; targetId: string; at: string; kind?: Amendment["kind"] },
): DrawRecord {
  const replacementId = replacementFor(record, change.inspectorId, change.targetId, record.amendments);
  const amendment: Amendment = {
    kind: change.kind ?? "recusal",
    inspectorId: change.inspectorId,
    targetId: change.targetId,
    replacementId,
    at: change.at,
  };
  return { ...record, amendments: [...record.amendments, amendment] };
}
