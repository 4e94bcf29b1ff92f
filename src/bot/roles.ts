import { ROLES, splitList, type Role } from "../domain/roles";
import type { DbOrTx } from "../store/db";

export interface Person {
  openId: string;
  name: string | null;
  certNo: string | null;
  roles: Set<Role>;
  registered: boolean; // in the roster and 在岗 (or a configured admin)
  /** In the roster but 离岗: no role at all (a configured admin stays 管理员). */
  departed: boolean;
}

/** The roles a roster row grants: none at all once the person is 离岗. */
function rosterRoles(row: { roles: string; status: string }): Role[] {
  if (row.status !== "在岗") return [];
  return splitList(row.roles).filter((r) => (ROLES as readonly string[]).includes(r)) as Role[];
}

/**
 * Roles come from the roster; 离岗 staff lose every role at once. BOT_ADMIN_OPEN_IDS are 管理员
 * regardless (even before any roster is imported, and after they leave it).
 */
export async function whoIs(tx: DbOrTx, openId: string, adminOpenIds: readonly string[]): Promise<Person> {
  const row = await tx.inspector.findUnique({ where: { openId } });
  const roles = new Set<Role>(row ? rosterRoles(row) : []);
  const admin = adminOpenIds.includes(openId);
  if (admin) roles.add("管理员");
  const departed = row !== null && row.status !== "在岗";
  return {
    openId,
    name: row?.name ?? null,
    certNo: row?.certNo ?? null,
    roles,
    registered: (row !== null && !departed) || admin,
    departed,
  };
}

/** Open ids of the 在岗 staff holding a role (e.g. every 领导 to ask for an approval), but for `except`. */
export async function holdersOf(
  tx: DbOrTx,
  role: Role,
  except?: string | null,
): Promise<{ certNo: string; openId: string; name: string }[]> {
  const rows = await tx.inspector.findMany({
    where: { roles: { contains: role }, status: "在岗", openId: { not: null } },
    orderBy: { certNo: "asc" },
  });
  return rows
    .filter((r) => rosterRoles(r).includes(role) && r.openId !== except)
    .map((r) => ({ certNo: r.certNo, openId: r.openId!, name: r.name }));
}

export const hasAnyRole = (p: Person, roles: readonly Role[]) => roles.some((r) => p.roles.has(r));
