import { ROLES, splitList, type Role } from "../features/imports/kinds";
import type { Db, Prisma } from "../store/db";

type Tx = Prisma.TransactionClient | Db;

export interface Person {
  openId: string;
  name: string | null;
  certNo: string | null;
  roles: Set<Role>;
  registered: boolean; // in the roster (or a configured admin)
}

/** Roles come from the roster; BOT_ADMIN_OPEN_IDS are 管理员 even before any roster is imported. */
export async function whoIs(tx: Tx, openId: string, adminOpenIds: readonly string[]): Promise<Person> {
  const row = await tx.inspector.findUnique({ where: { openId } });
  const roles = new Set<Role>(row ? (splitList(row.roles).filter((r) => (ROLES as readonly string[]).includes(r)) as Role[]) : []);
  if (row && row.status !== "在岗") roles.delete("执法人员");
  if (adminOpenIds.includes(openId)) roles.add("管理员");
  return { openId, name: row?.name ?? null, certNo: row?.certNo ?? null, roles, registered: row !== null || adminOpenIds.includes(openId) };
}

export const hasAnyRole = (p: Person, roles: readonly Role[]) => roles.some((r) => p.roles.has(r));
