/**
 * Chat commands: mentions stripped (Feishu writes them as @_user_N / @_all), full-width spaces and
 * punctuation folded, Chinese and English aliases. A Chinese command may be glued to its argument
 * ("抽取T2026-01").
 */

export type CommandName =
  "help" | "plan" | "draw" | "cancel" | "progress" | "mytasks" | "publicity" | "stats" | "bind" | "overdue";

export const ALIASES: Record<CommandName, string[]> = {
  help: ["帮助", "help", "?", "？"],
  plan: ["计划", "plan"],
  draw: ["抽取", "draw"],
  cancel: ["取消抽取", "cancel"],
  progress: ["进度", "progress"],
  mytasks: ["我的任务", "mytasks"],
  publicity: ["公示", "publicity"],
  stats: ["统计", "stats"],
  bind: ["绑定", "bind"],
  overdue: ["督办", "overdue"],
};

export interface ParsedCommand {
  name: CommandName | null; // null: not a known command
  word: string; // what the user typed as the command
  args: string[];
}

export function normalizeText(text: string): string {
  return text
    .replace(/@_user_\d+|@_all/g, " ")
    .replace(/[\u3000\u00a0]/g, " ")
    .replace(/[：，；、。！]/g, " ")
    .trim()
    .replace(/\s+/g, " ");
}

export function parseCommand(text: string): ParsedCommand {
  const clean = normalizeText(text);
  if (clean === "") return { name: "help", word: "", args: [] };
  const [first, ...rest] = clean.split(" ") as [string, ...string[]];
  const lower = first.toLowerCase();
  for (const [name, aliases] of Object.entries(ALIASES) as [CommandName, string[]][]) {
    if (aliases.includes(lower)) return { name, word: first, args: rest };
    // "抽取T2026-01": a Chinese alias glued to its argument
    const glued = aliases.find((a) => /[\u4e00-\u9fff]/.test(a) && first.startsWith(a) && first.length > a.length);
    if (glued) return { name, word: glued, args: [first.slice(glued.length), ...rest] };
  }
  return { name: null, word: first, args: rest };
}
