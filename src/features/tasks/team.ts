import type { Prisma } from "../../store/db";

type Tx = Prisma.TransactionClient;

/** The current team of one drawn target: its assignments that have not been recused, in assignment order. */
export function teamOf(tx: Tx, drawId: string, targetId: string) {
  return tx.assignment.findMany({ where: { drawId, targetId, status: { not: "recused" } }, orderBy: { id: "asc" } });
}
