/** The roster's roles (执法检查人员名录库 角色) and its list cells, shared by the bot core and the imports. */
export const ROLES = ["执法人员", "领导", "法制员", "管理员"] as const;
export type Role = (typeof ROLES)[number];

const LIST_SEPARATORS = /[;；,，、]/;

/** A spreadsheet list cell ("执法人员;领导") as its items. */
export const splitList = (s: string) =>
  s
    .split(LIST_SEPARATORS)
    .map((x) => x.trim())
    .filter(Boolean);
