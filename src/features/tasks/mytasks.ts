import { confirmationCard, recusalApprovalCard } from "../../../cards/tasks";
import type { Bot } from "../../bot/bot";
import { hasAnyRole, type Person } from "../../bot/roles";
import { enqueueMessage } from "../../lark/outbox";
import type { Tx } from "../../store/db";
import { nameOf, openIdOf, resultView, sendTaskCard } from "./taskCard";
import { OFF_TEAM } from "./team";
import { pendingWithdrawals, withdrawalCardFor } from "./withdrawal";

/** At most this many cards per 我的任务; then one line says how many more. */
const MAX_CARDS = 20;

/**
 * Everything waiting for one person, as fresh cards (Feishu's 14-day window closes on the old ones):
 * open assignments (with the result form), results waiting for their confirmation, and for a
 * 领导/管理员 the recusal requests (and, for a 领导, the withdrawals) waiting for a decision.
 * Each entry queues its card when sent; the list is built first so the count is exact.
 */
async function pendingFor(tx: Tx, person: Person): Promise<((key: string, now: Date) => Promise<void>)[]> {
  const out: ((key: string, now: Date) => Promise<void>)[] = [];
  const to = { openId: person.openId };
  if (person.certNo) {
    const mine = await tx.assignment.findMany({
      where: { inspectorId: person.certNo, status: { notIn: OFF_TEAM }, draw: { status: "revealed" } },
      include: { draw: true },
      orderBy: { id: "asc" },
    });
    for (const a of mine) {
      const result = await tx.result.findFirst({ where: { drawId: a.drawId, targetId: a.targetId, current: true } });
      if (result?.status === "confirmed") continue;
      out.push((key, now) => sendTaskCard(tx, a, now, key, { withForm: true }));
      // A result a partner submitted, waiting for this person's confirmation.
      if (result?.status === "submitted" && result.submittedBy !== person.certNo) {
        const target = await tx.target.findUnique({ where: { creditCode: a.targetId }, select: { name: true } });
        const content = confirmationCard({
          resultId: result.id,
          taskCode: a.draw.taskCode,
          targetName: target?.name ?? "",
          creditCode: a.targetId,
          result: await resultView(tx, result),
        });
        out.push((key, now) => enqueueMessage(tx, { key, to, msgType: "interactive", content }, now));
      }
    }
  }
  if (hasAnyRole(person, ["领导", "管理员"])) {
    for (const request of await tx.recusalRequest.findMany({ where: { status: "pending" }, orderBy: { id: "asc" } })) {
      if (request.inspectorId === person.certNo) continue; // never one's own
      const draw = await tx.draw.findUnique({ where: { id: request.drawId }, select: { taskCode: true } });
      const target = await tx.target.findUnique({ where: { creditCode: request.targetId }, select: { name: true } });
      const content = recusalApprovalCard({
        requestId: request.id,
        taskCode: draw?.taskCode ?? "",
        targetName: target?.name ?? "",
        creditCode: request.targetId,
        inspectorName: await nameOf(tx, request.inspectorId),
        inspectorOpenId: await openIdOf(tx, request.inspectorId),
        reason: request.reason,
      });
      out.push((key, now) => enqueueMessage(tx, { key, to, msgType: "interactive", content }, now));
    }
  }
  if (person.roles.has("领导")) {
    for (const w of await pendingWithdrawals(tx)) {
      const content = await withdrawalCardFor(tx, w);
      out.push((key, now) => enqueueMessage(tx, { key, to, msgType: "interactive", content }, now));
    }
  }
  return out;
}

export function registerMyTasks(bot: Bot): void {
  bot.command({
    name: "mytasks",
    roles: [], // anyone registered (checked below: the roster decides, not a role)
    usage: "我的任务",
    summary: "私聊重新发送我的待办卡片：检查任务（含结果表单）、待确认结果、待审批事项",
    async run({ tx, now, sender, message, reply }) {
      if (!sender.registered)
        return reply(
          sender.departed
            ? "您在名录库中的状态为离岗，没有待办事项。"
            : "您尚未登记在执法检查人员名录库中，没有可查看的任务。",
        );
      const items = await pendingFor(tx, sender);
      const base = `mytasks:${message.messageId}`;
      const privately = (k: number, text: string) =>
        enqueueMessage(
          tx,
          { key: `${base}:${k}`, to: { openId: sender.openId }, msgType: "text", content: { text } },
          now,
        );
      if (items.length === 0) await privately(0, "您目前没有待办事项。");
      else {
        await privately(
          0,
          `您有 ${items.length} 项待办，以下是重新发送的卡片（旧卡片超过 14 天后无法操作，请使用这些新卡片）：`,
        );
        for (const [k, send] of items.slice(0, MAX_CARDS).entries()) await send(`${base}:${k + 1}`, now);
        if (items.length > MAX_CARDS)
          await privately(
            MAX_CARDS + 1,
            `……另有 ${items.length - MAX_CARDS} 项未发送，请处理以上各项后再发送「我的任务」。`,
          );
      }
      if (message.chatType !== "p2p") await reply("已私聊发送给您。");
    },
  });
}
