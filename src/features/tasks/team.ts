import type { Tx } from "../../store/db";

/** Assignment states that have left the team: recused, or withdrawn because the inspector left (离岗). */
export const OFF_TEAM = ["recused", "withdrawn"];

/** The current team of one drawn target: its assignments that have not been recused or withdrawn, in assignment order. */
export function teamOf(tx: Tx, drawId: string, targetId: string) {
  return tx.assignment.findMany({ where: { drawId, targetId, status: { notIn: OFF_TEAM } }, orderBy: { id: "asc" } });
}
