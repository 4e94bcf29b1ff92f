import { ACTION } from "../../../cards/actions";
import { cancelledCard } from "../../../cards/draw";
import type { Bot } from "../../bot/bot";
import { hasAnyRole, type Person } from "../../bot/roles";
import type { Commitment } from "../../domain/draw/types";
import { AppError } from "../../domain/errors";
import { enqueueMessage, enqueuePatch } from "../../lark/outbox";
import type { Prisma, Tx } from "../../store/db";
import { cancelDrawIn } from "./service";

type DrawRow = Prisma.DrawGetPayload<object>;

/** The draw of a task that still waits for its witness; a clear refusal otherwise (a revealed draw can't be cancelled). */
export async function pendingDrawOf(tx: Tx, taskArg: string): Promise<DrawRow> {
  const task =
    (await tx.task.findUnique({ where: { code: taskArg } })) ??
    (await tx.task.findUnique({ where: { code: taskArg.toUpperCase() } }));
  if (!task) throw new AppError("TASK_NOT_FOUND", `找不到任务编号「${taskArg}」（发送「计划」查看任务）`);
  const pending = await tx.draw.findFirst({ where: { taskCode: task.code, status: "committed" } });
  if (pending) return pending;
  const revealed = await tx.draw.findFirst({ where: { taskCode: task.code, status: "revealed" } });
  if (revealed)
    throw new AppError("DRAW_REVEALED", `任务 ${task.code} 的抽取（${revealed.id}）已由见证人确认揭示，不能取消`);
  throw new AppError("NO_PENDING_DRAW", `任务 ${task.code} 没有等待见证的抽取，无需取消`);
}

/** The orderer, a 领导 or a 管理员 may cancel. */
function mayCancel(person: Person, draw: DrawRow): boolean {
  return (person.registered && draw.orderedBy === person.openId) || hasAnyRole(person, ["领导", "管理员"]);
}

/**
 * Cancels a draw waiting for its witness: the record stays (server seed published in the audit),
 * the commitment card turns 「已取消」, the group is told who and why, the task can be drawn again.
 * Returns the cancelled card (a card click answers with it).
 */
export async function cancelPendingDraw(
  tx: Tx,
  draw: DrawRow,
  args: { by: string; byName: string; reason: string; now: Date; patchCard: boolean },
) {
  const reason = args.reason.trim();
  if (reason === "") throw new AppError("NO_REASON", "取消原因：必填");
  if (reason.length > 200) throw new AppError("REASON_TOO_LONG", "取消原因：不能超过 200 字");
  await cancelDrawIn(tx, { drawId: draw.id, by: args.by, reason }, { now: () => args.now });
  const cancelled = cancelledCard(JSON.parse(draw.record) as Commitment, args.by, reason, draw.serverSeed);
  if (args.patchCard && draw.messageId)
    await enqueuePatch(
      tx,
      { key: `draw:${draw.id}:cancelled-card`, messageId: draw.messageId, card: cancelled },
      args.now,
    );
  if (draw.chatId) {
    const text = `【取消抽取】${args.byName} 取消了任务 ${draw.taskCode} 的抽取（${draw.id}），原因：${reason}。本次承诺作废，记录保留备查，该任务可重新抽取。`;
    await enqueueMessage(
      tx,
      { key: `draw:${draw.id}:cancelled`, to: { chatId: draw.chatId }, msgType: "text", content: { text } },
      args.now,
    );
  }
  return cancelled;
}

export function registerCancel(bot: Bot): void {
  bot.command({
    name: "cancel",
    roles: [], // the orderer, a 领导 or a 管理员: checked against the draw
    groupOnly: true, // a draw is a public act
    usage: "取消抽取 <任务编号> <原因>",
    summary: "取消一次尚待见证的抽取（发起人、领导、管理员）",
    async run({ tx, now, sender, args, reply }) {
      const [taskArg, ...why] = args;
      if (!taskArg || why.join(" ").trim() === "")
        return reply("请写明任务编号和取消原因，例如：@双随机助手 取消抽取 T2026-01 号池数据有误需重新导入");
      const draw = await pendingDrawOf(tx, taskArg);
      if (!mayCancel(sender, draw)) return reply("抱歉，只有发起本次抽取的人、领导或管理员可以取消抽取。");
      await cancelPendingDraw(tx, draw, {
        by: sender.openId,
        byName: sender.name ?? sender.openId,
        reason: why.join(" "),
        now,
        patchCard: true,
      });
    },
  });

  bot.cardAction({
    action: ACTION.draw.cancel,
    roles: [],
    async run({ tx, now, operator, param, requiredText }) {
      const drawId = param("drawId");
      const draw = await tx.draw.findUnique({ where: { id: drawId } });
      if (!draw) throw new AppError("DRAW_NOT_FOUND", "找不到这次抽取");
      if (!mayCancel(operator, draw))
        return { toast: { type: "error", content: "只有发起人、领导或管理员可以取消抽取" } };
      if (draw.status === "revealed") return { toast: { type: "error", content: "这次抽取已经揭示，不能取消" } };
      if (draw.status === "cancelled")
        return {
          toast: { type: "info", content: "这次抽取已经取消了" },
          card: cancelledCard(
            JSON.parse(draw.record) as Commitment,
            draw.cancelledBy ?? operator.openId,
            draw.cancelReason ?? undefined,
            draw.serverSeed,
          ),
        };
      const reason = requiredText("reason", "取消原因");
      const card = await cancelPendingDraw(tx, draw, {
        by: operator.openId,
        byName: operator.name ?? operator.openId,
        reason,
        now,
        patchCard: false,
      });
      return { toast: { type: "success", content: "已取消，记录保留，该任务可重新抽取" }, card };
    },
  });
}
