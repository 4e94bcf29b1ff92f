import { ACTION } from "../../../cards/actions";
import { recusalApprovalCard } from "../../../cards/tasks";
import type { Bot, CardAnswer, CardContext } from "../../bot/bot";
import { holdersOf } from "../../bot/roles";
import { AppError } from "../../domain/errors";
import { enqueueMessage } from "../../lark/outbox";
import { appendAudit } from "../../store/audit";
import type { Prisma, Tx } from "../../store/db";
import { recuseIn } from "../draw/service";
import {
  currentResult,
  nameOf,
  openIdOf,
  ownAssignment,
  refreshTaskCard,
  refreshTeamCards,
  sendTaskCard,
  targetNameOf,
  taskAnswer,
  type DrawRow,
} from "./taskCard";
import { noticeWithdrawals } from "./withdrawal";

const NO_APPROVER =
  "目前没有其他在岗的领导或管理员可以审批您的回避申请（本人不能审批自己的申请）。请联系管理员在名录库中登记。";

/** Who may decide someone's recusal: every 在岗 领导 and 管理员 (configured admins included), never the person asking. */
async function approvers(tx: Tx, adminOpenIds: readonly string[], except: string): Promise<string[]> {
  const ids = [...(await holdersOf(tx, "领导", except)), ...(await holdersOf(tx, "管理员", except))].map(
    (p) => p.openId,
  );
  return [...new Set([...ids, ...adminOpenIds.filter((id) => id !== except)])];
}

/** An inspector asks to be recused from one target: every approver gets the request card. */
async function requestRecusal({ tx, now, deps, operator, id, requiredText }: CardContext): Promise<CardAnswer> {
  const a = await ownAssignment(tx, id("assignmentId"), operator);
  const reason = requiredText("reason", "回避理由");
  if (a.status !== "assigned" && a.status !== "accepted")
    return taskAnswer(tx, a, { type: "info", content: "当前状态不能申请回避" });
  if (await currentResult(tx, a.drawId, a.targetId))
    return taskAnswer(tx, a, { type: "error", content: "本户已提交检查结果，不能再申请回避" });
  const deciders = await approvers(tx, deps.config.BOT_ADMIN_OPEN_IDS, operator.openId);
  if (deciders.length === 0) return taskAnswer(tx, a, { type: "error", content: NO_APPROVER });
  await tx.assignment.update({ where: { id: a.id }, data: { status: "recusal_requested" } });
  const request = await tx.recusalRequest.create({
    data: { drawId: a.drawId, targetId: a.targetId, inspectorId: a.inspectorId, reason },
  });
  await appendAudit(tx, {
    at: now,
    actor: operator.openId,
    action: "recusal.request",
    entity: "assignment",
    entityId: String(a.id),
    data: { requestId: request.id, reason },
  });
  const content = recusalApprovalCard({
    requestId: request.id,
    taskCode: a.draw.taskCode,
    targetName: await targetNameOf(tx, a.targetId),
    creditCode: a.targetId,
    inspectorName: operator.name ?? a.inspectorId,
    inspectorOpenId: operator.openId,
    reason,
  });
  for (const decider of deciders)
    await enqueueMessage(
      tx,
      { key: `recusal:${request.id}:ask:${decider}`, to: { openId: decider }, msgType: "interactive", content },
      now,
    );
  return taskAnswer(tx, a, { type: "success", content: "回避申请已提交领导审批" });
}

/**
 * The pending request behind an approval card, with what the card shows about it; or the answer
 * when it can't be decided (one's own request, already decided).
 */
async function pendingRequest({ tx, operator, id }: CardContext): Promise<
  | { answer: CardAnswer }
  | {
      answer: undefined;
      request: Prisma.RecusalRequestGetPayload<object>;
      draw: DrawRow;
      shown: Omit<Parameters<typeof recusalApprovalCard>[0], "decided">;
      assignment: Prisma.AssignmentGetPayload<object>;
    }
> {
  const request = await tx.recusalRequest.findUnique({ where: { id: id("requestId") } });
  if (!request) throw new AppError("NOT_FOUND", "找不到这项回避申请");
  const draw = await tx.draw.findUniqueOrThrow({ where: { id: request.drawId } });
  const shown = {
    requestId: request.id,
    taskCode: draw.taskCode,
    targetName: await targetNameOf(tx, request.targetId),
    creditCode: request.targetId,
    inspectorName: await nameOf(tx, request.inspectorId),
    inspectorOpenId: await openIdOf(tx, request.inspectorId),
    reason: request.reason,
  };
  if (request.inspectorId === operator.certNo)
    return {
      answer: { toast: { type: "error", content: "不能审批本人的回避申请，须由其他领导或管理员审批" } },
    };
  if (request.status !== "pending") {
    const approved = request.status === "approved";
    const note = approved ? "已批准" : `已驳回：${request.decisionReason ?? ""}`;
    return {
      answer: {
        toast: { type: "info", content: "这项申请已经处理过了" },
        card: recusalApprovalCard({ ...shown, decided: { approved, by: request.decidedBy ?? operator.openId, note } }),
      },
    };
  }
  const assignment = await tx.assignment.findUniqueOrThrow({
    where: {
      drawId_targetId_inspectorId: {
        drawId: request.drawId,
        targetId: request.targetId,
        inspectorId: request.inspectorId,
      },
    },
  });
  return { answer: undefined, request, draw, shown, assignment };
}

async function rejectRecusal(ctx: CardContext): Promise<CardAnswer> {
  const { tx, now, operator, requiredText } = ctx;
  const found = await pendingRequest(ctx);
  if (found.answer) return found.answer;
  const { request, shown, assignment } = found;
  const why = requiredText("reason", "驳回理由");
  await tx.recusalRequest.update({
    where: { id: request.id },
    data: { status: "rejected", decidedBy: operator.openId, decisionReason: why, decidedAt: now },
  });
  await tx.assignment.update({
    where: { id: assignment.id },
    data: { status: assignment.acceptedAt ? "accepted" : "assigned" },
  });
  await appendAudit(tx, {
    at: now,
    actor: operator.openId,
    action: "recusal.reject",
    entity: "recusal",
    entityId: String(request.id),
    data: { reason: why },
  });
  if (shown.inspectorOpenId)
    await enqueueMessage(
      tx,
      {
        key: `recusal:${request.id}:rejected`,
        to: { openId: shown.inspectorOpenId },
        msgType: "text",
        content: {
          text: `您对 ${shown.targetName}（${request.targetId}）的回避申请未获批准：${why}。请继续执行检查任务。`,
        },
      },
      now,
    );
  await refreshTaskCard(tx, assignment.id, now, "rejected");
  return {
    toast: { type: "success", content: "已驳回" },
    card: recusalApprovalCard({ ...shown, decided: { approved: false, by: operator.openId, note: `已驳回：${why}` } }),
  };
}

/** 回避 is the agency head's decision: record the conflict, amend the record, assign the replacement. */
async function approveRecusal(ctx: CardContext): Promise<CardAnswer> {
  const { tx, now, deps, operator } = ctx;
  const found = await pendingRequest(ctx);
  if (found.answer) return found.answer;
  const { request, draw, shown, assignment } = found;
  const { drawId, targetId } = request;
  const { replacementId } = await recuseIn(
    tx,
    { drawId, inspectorId: request.inspectorId, targetId, by: operator.openId, reason: request.reason },
    { now: () => now },
  );
  await tx.recusalRequest.update({
    where: { id: request.id },
    data: { status: "approved", decidedBy: operator.openId, decidedAt: now, replacementId },
  });
  await refreshTaskCard(tx, assignment.id, now, "recused");
  const replacement = await tx.assignment.findUniqueOrThrow({
    where: { drawId_targetId_inspectorId: { drawId, targetId, inspectorId: replacementId } },
    include: { draw: true },
  });
  await sendTaskCard(tx, replacement, now);
  await refreshTeamCards(tx, drawId, targetId, now, "partner-changed", replacement.id);
  const note = `${shown.inspectorName} 回避 ${shown.targetName}（${targetId}），按抽取记录确定性替换为 ${await nameOf(tx, replacementId)}（可用 drbot verify 复核）。`;
  if (draw.chatId)
    await enqueueMessage(
      tx,
      {
        key: `recusal:${request.id}:group`,
        to: { chatId: draw.chatId },
        msgType: "text",
        content: { text: `【回避】${note}` },
      },
      now,
    );
  await noticeWithdrawals(tx, now, deps.config.BOT_ADMIN_OPEN_IDS); // the replacement may have left since the pool was frozen
  return {
    toast: { type: "success", content: "已批准，替换人员已收到任务" },
    card: recusalApprovalCard({ ...shown, decided: { approved: true, by: operator.openId, note: `已批准。${note}` } }),
  };
}

/** 回避: the inspector asks on the task card; a 领导 or 管理员 other than the inspector decides. */
export function registerRecusals(bot: Bot): void {
  bot.cardAction({ action: ACTION.task.recuse, roles: [], run: requestRecusal });
  bot.cardAction({ action: ACTION.recusal.approve, roles: ["领导", "管理员"], run: approveRecusal });
  bot.cardAction({ action: ACTION.recusal.reject, roles: ["领导", "管理员"], run: rejectRecusal });
}
