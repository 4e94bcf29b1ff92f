import { ACTION } from "../../../cards/actions";
import type { Bot } from "../../bot/bot";
import { AppError } from "../../domain/errors";
import { appendAudit } from "../../store/audit";
import { ownAssignment, sendTaskCard, taskAnswer } from "./taskCard";
import { OFF_TEAM, teamOf } from "./team";

/** An inspector's own task card: 接受, 打开 (a fresh private copy), the full phone number. */
export function registerAssignments(bot: Bot): void {
  bot.cardAction({
    action: ACTION.task.accept,
    roles: [],
    async run({ tx, now, operator, id }) {
      const a = await ownAssignment(tx, id("assignmentId"), operator);
      if (a.status !== "assigned")
        return taskAnswer(tx, a, {
          type: "info",
          content: a.status === "accepted" ? "已接受过了" : "当前状态不能接受",
        });
      await tx.assignment.update({ where: { id: a.id }, data: { status: "accepted", acceptedAt: now } });
      await appendAudit(tx, {
        at: now,
        actor: operator.openId,
        action: "task.accept",
        entity: "assignment",
        entityId: String(a.id),
        data: { drawId: a.drawId, targetId: a.targetId },
      });
      return taskAnswer(tx, a, { type: "success", content: "已接受，请在检查后填写结果" });
    },
  });

  /** 「打开」 on a shared list card: a new private card to the clicker; the shared card stays as it is for everyone. */
  bot.cardAction({
    action: ACTION.task.open,
    roles: [],
    async run({ tx, now, operator, id }) {
      const a = await ownAssignment(tx, id("assignmentId"), operator);
      if (OFF_TEAM.includes(a.status)) return { toast: { type: "info", content: "您已不在本户的检查组中" } };
      await sendTaskCard(tx, a, now, `task:${a.id}:open:${now.getTime()}`, { withForm: true });
      return { toast: { type: "success", content: "任务卡片已私聊发送给您" } };
    },
  });

  /** The full phone number, to an inspector on the target's current team only, as a toast (seen by the clicker alone). */
  bot.cardAction({
    action: ACTION.task.phone,
    roles: [],
    async run({ tx, operator, id }) {
      const a = await ownAssignment(tx, id("assignmentId"), operator);
      const onTeam = (await teamOf(tx, a.drawId, a.targetId)).some((m) => m.id === a.id);
      if (!onTeam) throw new AppError("NOT_ON_TEAM", "您已不在本户的检查组中，不能查看联系电话");
      const target = await tx.target.findUnique({
        where: { creditCode: a.targetId },
        select: { name: true, phone: true },
      });
      if (!target?.phone) return { toast: { type: "info", content: "名录库中没有该对象的联系电话" } };
      return { toast: { type: "info", content: `${target.name} 联系电话：${target.phone}` } };
    },
  });
}
