import type { Bot } from "../../bot/bot";
import { registerAssignments } from "./assignments";
import { registerMyTasks } from "./mytasks";
import { registerRecusals } from "./recusals";
import { registerResults } from "./results";
import { onTaskCardSent } from "./taskCard";
import { registerWithdrawal } from "./withdrawal";

/**
 * 检查任务 after the reveal: the inspector's task card (assignments.ts), 回避 (recusals.ts), 检查结果
 * (results.ts), 人员撤换 (withdrawal.ts) and 我的任务 (mytasks.ts). Shared look-ups and card
 * delivery live in taskCard.ts.
 */
export function register(bot: Bot): void {
  bot.onSent("assignment.card", (tx, id, messageId) => onTaskCardSent(tx, Number(id), messageId));
  registerAssignments(bot);
  registerRecusals(bot);
  registerResults(bot);
  registerWithdrawal(bot);
  registerMyTasks(bot);
}
