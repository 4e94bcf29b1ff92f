import type { DbOrTx } from "../../store/db";

/**
 * A task code as typed (`t2026-01`) → the code as stored (`T2026-01`): task codes are
 * case-insensitive everywhere, in chat and on the command line. An exact match wins; otherwise a
 * single case-insensitive match; otherwise the input unchanged (the caller reports "not found").
 */
export async function canonicalTaskCode(db: DbOrTx, code: string): Promise<string> {
  const exact = await db.task.findUnique({ where: { code }, select: { code: true } });
  if (exact) return code;
  const rows = await db.$queryRaw<
    { code: string }[]
  >`SELECT "code" FROM "Task" WHERE "code" = ${code} COLLATE NOCASE LIMIT 2`;
  return rows.length === 1 ? rows[0]!.code : code;
}
