import {
  confirmationCard,
  correctionCard,
  recusalApprovalCard,
  taskCard,
  type ResultView,
  type TaskView,
} from "../../../cards/tasks";
import type { Bot, CardAnswer } from "../../bot/bot";
import { holdersOf, type Person } from "../../bot/roles";
import { AppError } from "../../domain/errors";
import { parseResultForm } from "../../domain/results";
import { enqueueMessage, enqueuePatch } from "../../lark/outbox";
import { appendAudit } from "../../store/audit";
import { loadCalendar } from "../../store/calendar";
import type { Prisma } from "../../store/db";
import { recuseIn } from "../draw/service";
import { teamOf } from "./team";
import { taskViews } from "./views";
import { registerMyTasks } from "./mytasks";
import { noticeWithdrawals, registerWithdrawal } from "./withdrawal";
import { showDeadline, workingDeadline } from "../../domain/deadlines";
import { openForResult, reconcileAfterCorrection } from "../followups/service";
import { tellAdminsToImport } from "../jobs/calendarNotice";

type Tx = Prisma.TransactionClient;
type AssignmentRow = Prisma.AssignmentGetPayload<{ include: { draw: true } }>;
type ResultRow = Prisma.ResultGetPayload<object>;

export const nameOf = async (tx: Tx, certNo: string) =>
  (await tx.inspector.findUnique({ where: { certNo } }))?.name ?? certNo;

export async function resultView(tx: Tx, r: ResultRow): Promise<ResultView> {
  return {
    ...r,
    submittedByName: await nameOf(tx, r.submittedBy),
    correctedByName: r.correctedBy ? await nameOf(tx, r.correctedBy) : null,
  };
}

export async function currentResult(tx: Tx, drawId: string, targetId: string): Promise<ResultRow | null> {
  return tx.result.findFirst({ where: { drawId, targetId, current: true } });
}

/** Everything a task card shows, from the database as it is now. */
export async function taskView(tx: Tx, a: AssignmentRow): Promise<TaskView> {
  return (await taskViews(tx, [a])).get(a.id)!.view;
}

/** The bounds a result's 检查日期 is checked against: today (the one clock), the task's 开始日期, the reveal's bureau date. */
async function resultDates(tx: Tx, draw: { taskCode: string; revealedOn: string | null }, today: string) {
  const task = await tx.task.findUnique({ where: { code: draw.taskCode }, select: { startDate: true } });
  return { today, taskStart: task?.startDate ?? null, revealDate: draw.revealedOn };
}

export const openIdOf = async (tx: Tx, certNo: string) =>
  (await tx.inspector.findUnique({ where: { certNo } }))?.openId ?? null;

/**
 * Sends one task card to the inspector privately; its message id is recorded when sent, so later
 * updates go to the newest copy (a re-issued card outlives Feishu's 14-day window).
 */
export async function sendTaskCard(
  tx: Tx,
  a: AssignmentRow,
  now: Date,
  key = `task:${a.id}:card`,
  opts: { withForm?: boolean } = {},
): Promise<void> {
  const openId = await openIdOf(tx, a.inspectorId);
  if (!openId) return; // not reachable in Feishu; the leader sees the gap in 进度
  await enqueueMessage(
    tx,
    {
      key,
      to: { openId },
      msgType: "interactive",
      content: taskCard(await taskView(tx, a), opts),
      onSent: `assignment.card:${a.id}`,
    },
    now,
  );
}

export async function onTaskCardSent(tx: Tx, assignmentId: number, messageId: string): Promise<void> {
  await tx.assignment.update({ where: { id: assignmentId }, data: { cardMessageId: messageId } });
}

/** Brings an inspector's card up to date in place (after something someone else did). */
export async function refreshTaskCard(tx: Tx, assignmentId: number, now: Date, why: string): Promise<void> {
  const a = await tx.assignment.findUniqueOrThrow({ where: { id: assignmentId }, include: { draw: true } });
  if (a.cardMessageId)
    await enqueuePatch(
      tx,
      {
        key: `task:${a.id}:patch:${why}:${now.getTime()}`,
        messageId: a.cardMessageId,
        card: taskCard(await taskView(tx, a)),
      },
      now,
    );
}

/** Brings every current team member's card up to date, but for `except` (e.g. one who just got a new card). */
export async function refreshTeamCards(
  tx: Tx,
  drawId: string,
  targetId: string,
  now: Date,
  why: string,
  except?: number,
): Promise<void> {
  for (const member of await teamOf(tx, drawId, targetId))
    if (member.id !== except) await refreshTaskCard(tx, member.id, now, why);
}

/** The assignment behind a card, if the person clicking is the one it was sent to. */
export async function ownAssignment(tx: Tx, assignmentId: unknown, operator: Person): Promise<AssignmentRow> {
  const a = await tx.assignment.findUnique({ where: { id: Number(assignmentId) || -1 }, include: { draw: true } });
  if (!a) throw new AppError("NOT_FOUND", "找不到这项任务");
  if (a.inspectorId !== operator.certNo)
    throw new AppError("NOT_YOURS", "这不是您的任务，不能操作（卡片可能是转发的）");
  return a;
}

export const NO_APPROVER =
  "目前没有其他在岗的领导或管理员可以审批您的回避申请（本人不能审批自己的申请）。请联系管理员在名录库中登记。";

/** Who may decide someone's recusal: every 在岗 领导 and 管理员 (configured admins included), never the person asking. */
export async function approvers(tx: Tx, adminOpenIds: readonly string[], except: string): Promise<string[]> {
  const ids = [...(await holdersOf(tx, "领导", except)), ...(await holdersOf(tx, "管理员", except))].map(
    (p) => p.openId,
  );
  return [...new Set([...ids, ...adminOpenIds.filter((id) => id !== except)])];
}

const answer = async (tx: Tx, a: AssignmentRow, toast: CardAnswer["toast"]): Promise<CardAnswer> => {
  const fresh = await tx.assignment.findUniqueOrThrow({ where: { id: a.id }, include: { draw: true } });
  return { toast, card: taskCard(await taskView(tx, fresh)) };
};

export function register(bot: Bot): void {
  bot.onSent("assignment.card", (tx, id, messageId) => onTaskCardSent(tx, Number(id), messageId));
  registerWithdrawal(bot);
  registerMyTasks(bot);
  bot.cardAction({
    action: "task.accept",
    roles: [],
    async run({ tx, now, operator, action }) {
      const a = await ownAssignment(tx, action.value["assignmentId"], operator);
      if (a.status !== "assigned")
        return answer(tx, a, { type: "info", content: a.status === "accepted" ? "已接受过了" : "当前状态不能接受" });
      await tx.assignment.update({ where: { id: a.id }, data: { status: "accepted", acceptedAt: now } });
      await appendAudit(tx, {
        at: now,
        actor: operator.openId,
        action: "task.accept",
        entity: "assignment",
        entityId: String(a.id),
        data: { drawId: a.drawId, targetId: a.targetId },
      });
      return answer(tx, a, { type: "success", content: "已接受，请在检查后填写结果" });
    },
  });

  bot.cardAction({
    action: "task.recuse",
    roles: [],
    async run({ tx, now, deps, operator, action }) {
      const a = await ownAssignment(tx, action.value["assignmentId"], operator);
      const reason = String(action.formValue["reason"] ?? "").trim();
      if (reason === "") return { toast: { type: "error", content: "回避理由：必填" } };
      if (a.status !== "assigned" && a.status !== "accepted")
        return answer(tx, a, { type: "info", content: "当前状态不能申请回避" });
      if (await currentResult(tx, a.drawId, a.targetId))
        return answer(tx, a, { type: "error", content: "本户已提交检查结果，不能再申请回避" });
      const deciders = await approvers(tx, deps.config.BOT_ADMIN_OPEN_IDS, operator.openId);
      if (deciders.length === 0) return answer(tx, a, { type: "error", content: NO_APPROVER });
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
      const target = await tx.target.findUnique({ where: { creditCode: a.targetId } });
      for (const decider of deciders) {
        const content = recusalApprovalCard({
          requestId: request.id,
          taskCode: a.draw.taskCode,
          targetName: target?.name ?? "",
          creditCode: a.targetId,
          inspectorName: operator.name ?? a.inspectorId,
          inspectorOpenId: operator.openId,
          reason,
        });
        await enqueueMessage(
          tx,
          { key: `recusal:${request.id}:ask:${decider}`, to: { openId: decider }, msgType: "interactive", content },
          now,
        );
      }
      return answer(tx, a, { type: "success", content: "回避申请已提交领导审批" });
    },
  });

  const decide = (approved: boolean) =>
    async function run({
      tx,
      now,
      deps,
      operator,
      action,
    }: Parameters<Parameters<Bot["cardAction"]>[0]["run"]>[0]): Promise<CardAnswer> {
      const request = await tx.recusalRequest.findUnique({ where: { id: Number(action.value["requestId"]) || -1 } });
      if (!request) throw new AppError("NOT_FOUND", "找不到这项回避申请");
      const target = await tx.target.findUnique({ where: { creditCode: request.targetId } });
      const draw = await tx.draw.findUniqueOrThrow({ where: { id: request.drawId } });
      const base = {
        requestId: request.id,
        taskCode: draw.taskCode,
        targetName: target?.name ?? "",
        creditCode: request.targetId,
        inspectorName: await nameOf(tx, request.inspectorId),
        inspectorOpenId: await openIdOf(tx, request.inspectorId),
        reason: request.reason,
      };
      if (request.inspectorId === operator.certNo)
        return { toast: { type: "error", content: "不能审批本人的回避申请，须由其他领导或管理员审批" } };
      if (request.status !== "pending") {
        return {
          toast: { type: "info", content: "这项申请已经处理过了" },
          card: recusalApprovalCard({
            ...base,
            decided: {
              approved: request.status === "approved",
              by: request.decidedBy ?? operator.openId,
              note: request.status === "approved" ? "已批准" : `已驳回：${request.decisionReason ?? ""}`,
            },
          }),
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
      if (!approved) {
        const why = String(action.formValue["reason"] ?? "").trim();
        if (why === "") return { toast: { type: "error", content: "驳回理由：必填" } };
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
        if (base.inspectorOpenId)
          await enqueueMessage(
            tx,
            {
              key: `recusal:${request.id}:rejected`,
              to: { openId: base.inspectorOpenId },
              msgType: "text",
              content: {
                text: `您对 ${base.targetName}（${request.targetId}）的回避申请未获批准：${why}。请继续执行检查任务。`,
              },
            },
            now,
          );
        await refreshTaskCard(tx, assignment.id, now, "rejected");
        return {
          toast: { type: "success", content: "已驳回" },
          card: recusalApprovalCard({
            ...base,
            decided: { approved: false, by: operator.openId, note: `已驳回：${why}` },
          }),
        };
      }
      // 回避 is the agency head's decision: record the conflict, amend the record, assign the replacement.
      const { replacementId } = await recuseIn(
        tx,
        {
          drawId: request.drawId,
          inspectorId: request.inspectorId,
          targetId: request.targetId,
          by: operator.openId,
          reason: request.reason,
        },
        { now: () => now },
      );
      await tx.recusalRequest.update({
        where: { id: request.id },
        data: { status: "approved", decidedBy: operator.openId, decidedAt: now, replacementId },
      });
      await refreshTaskCard(tx, assignment.id, now, "recused");
      const replacement = await tx.assignment.findUniqueOrThrow({
        where: {
          drawId_targetId_inspectorId: {
            drawId: request.drawId,
            targetId: request.targetId,
            inspectorId: replacementId,
          },
        },
        include: { draw: true },
      });
      await sendTaskCard(tx, replacement, now);
      await refreshTeamCards(tx, request.drawId, request.targetId, now, "partner-changed", replacement.id);
      const note = `${base.inspectorName} 回避 ${base.targetName}（${request.targetId}），按抽取记录确定性替换为 ${await nameOf(tx, replacementId)}（可用 drbot verify 复核）。`;
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
        card: recusalApprovalCard({
          ...base,
          decided: { approved: true, by: operator.openId, note: `已批准。${note}` },
        }),
      };
    };
  bot.cardAction({ action: "recusal.approve", roles: ["领导", "管理员"], run: decide(true) });
  bot.cardAction({ action: "recusal.reject", roles: ["领导", "管理员"], run: decide(false) });

  bot.cardAction({
    action: "result.submit",
    roles: [],
    async run({ tx, now, today, operator, action }) {
      const a = await ownAssignment(tx, action.value["assignmentId"], operator);
      if (a.status === "recused" || a.status === "recusal_requested")
        return answer(tx, a, { type: "error", content: "回避期间不能提交结果" });
      const existing = await currentResult(tx, a.drawId, a.targetId);
      if (existing && existing.status !== "disputed")
        return answer(tx, a, { type: "info", content: `本户结果已由${await nameOf(tx, existing.submittedBy)}提交` });
      const parsed = parseResultForm(action.formValue, await resultDates(tx, a.draw, today));
      if (!parsed.ok) return { toast: { type: "error", content: parsed.message } };
      if (existing) await tx.result.update({ where: { id: existing.id }, data: { current: false } });
      const r = await tx.result.create({
        data: {
          drawId: a.drawId,
          targetId: a.targetId,
          version: (existing?.version ?? 0) + 1,
          ...parsed.value,
          submittedBy: a.inspectorId,
        },
      });
      if (a.status === "assigned")
        await tx.assignment.update({ where: { id: a.id }, data: { status: "accepted", acceptedAt: now } });
      await appendAudit(tx, {
        at: now,
        actor: operator.openId,
        action: "result.submit",
        entity: "result",
        entityId: String(r.id),
        data: { drawId: a.drawId, targetId: a.targetId, version: r.version, ...parsed.value },
      });
      const target = await tx.target.findUnique({ where: { creditCode: a.targetId } });
      for (const partner of (await teamOf(tx, a.drawId, a.targetId)).filter((m) => m.inspectorId !== a.inspectorId)) {
        const openId = await openIdOf(tx, partner.inspectorId);
        const content = confirmationCard({
          resultId: r.id,
          taskCode: a.draw.taskCode,
          targetName: target?.name ?? "",
          creditCode: a.targetId,
          result: await resultView(tx, r),
        });
        if (openId)
          await enqueueMessage(
            tx,
            { key: `result:${r.id}:confirm:${partner.inspectorId}`, to: { openId }, msgType: "interactive", content },
            now,
          );
        await refreshTaskCard(tx, partner.id, now, `result-${r.id}`);
      }
      return answer(tx, a, { type: "success", content: "检查结果已提交，等待同组确认" });
    },
  });

  /** The partner's answer to a submitted result; only someone else on the team may give it. */
  const review = (confirm: boolean) =>
    async function run({
      tx,
      now,
      today,
      deps,
      operator,
      action,
    }: Parameters<Parameters<Bot["cardAction"]>[0]["run"]>[0]): Promise<CardAnswer> {
      const r = await tx.result.findUnique({ where: { id: Number(action.value["resultId"]) || -1 } });
      if (!r) throw new AppError("NOT_FOUND", "找不到这条检查结果");
      const onTeam = (await teamOf(tx, r.drawId, r.targetId)).some((m) => m.inspectorId === operator.certNo);
      if (!onTeam) return { toast: { type: "error", content: "只有同组执法人员可以确认（卡片可能是转发的）" } };
      if (r.submittedBy === operator.certNo)
        return { toast: { type: "error", content: "提交人不能自己确认，请由同组另一人确认" } };
      const draw = await tx.draw.findUniqueOrThrow({ where: { id: r.drawId } });
      const target = await tx.target.findUnique({ where: { creditCode: r.targetId } });
      const view = async (row: ResultRow, done?: string) =>
        confirmationCard({
          resultId: row.id,
          taskCode: draw.taskCode,
          targetName: target?.name ?? "",
          creditCode: r.targetId,
          result: await resultView(tx, row),
          done,
        });
      if (!r.current || r.status !== "submitted")
        return {
          toast: { type: "info", content: "这条结果已经处理过了" },
          card: await view(r, r.status === "confirmed" ? "已确认" : "已处理"),
        };
      const submitterOpenId = await openIdOf(tx, r.submittedBy);
      if (!confirm) {
        const why = String(action.formValue["reason"] ?? "").trim();
        if (why === "") return { toast: { type: "error", content: "异议理由：必填" } };
        const updated = await tx.result.update({
          where: { id: r.id },
          data: { status: "disputed", disputeReason: why },
        });
        await appendAudit(tx, {
          at: now,
          actor: operator.openId,
          action: "result.dispute",
          entity: "result",
          entityId: String(r.id),
          data: { reason: why },
        });
        const mine = await tx.assignment.findFirst({
          where: { drawId: r.drawId, targetId: r.targetId, inspectorId: r.submittedBy },
        });
        if (mine) await refreshTaskCard(tx, mine.id, now, `disputed-${r.id}`);
        if (submitterOpenId)
          await enqueueMessage(
            tx,
            {
              key: `result:${r.id}:disputed`,
              to: { openId: submitterOpenId },
              msgType: "text",
              content: {
                text: `同组对 ${target?.name ?? r.targetId} 的检查结果有异议：${why}。请核实后在任务卡片上重新提交。`,
              },
            },
            now,
          );
        return { toast: { type: "success", content: "已提出异议" }, card: await view(updated, "有异议") };
      }
      const calendar = await loadCalendar(tx);
      const due = workingDeadline(calendar, today, deps.config.PUBLICITY_WORKING_DAYS);
      const updated = await tx.result.update({
        where: { id: r.id },
        data: {
          status: "confirmed",
          confirmedBy: operator.certNo,
          confirmedAt: now,
          confirmedOn: today,
          publicityDue: due.date,
          publicityDueUncovered: due.uncoveredYear,
        },
      });
      await appendAudit(tx, {
        at: now,
        actor: operator.openId,
        action: "result.confirm",
        entity: "result",
        entityId: String(r.id),
        data: { publicityDue: due.date, uncoveredYear: due.uncoveredYear },
      });
      await openForResult(tx, updated, { today, cal: calendar, now, actor: operator.openId });
      if (due.uncoveredYear) await tellAdminsToImport(tx, due.uncoveredYear, deps.config.BOT_ADMIN_OPEN_IDS, now);
      await refreshTeamCards(tx, r.drawId, r.targetId, now, `confirmed-${r.id}`);
      return {
        toast: { type: "success", content: `已确认，公示期限 ${showDeadline(due.date, due.uncoveredYear)}` },
        card: await view(updated, "已确认"),
      };
    };
  bot.cardAction({ action: "result.confirm", roles: [], run: review(true) });
  bot.cardAction({ action: "result.dispute", roles: [], run: review(false) });

  const confirmedResult = async (tx: Tx, id: unknown) => {
    const r = await tx.result.findUnique({ where: { id: Number(id) || -1 } });
    if (!r || !r.current || r.status !== "confirmed")
      throw new AppError("NOT_CORRECTABLE", "只能更正已确认的现行结果（该结果可能已被更正）");
    const draw = await tx.draw.findUniqueOrThrow({ where: { id: r.drawId } });
    const target = await tx.target.findUnique({ where: { creditCode: r.targetId } });
    return { r, draw, target };
  };

  /** 「更正结果」 on a shared list: the form goes to the clicker privately, the list stays as it is for everyone. */
  bot.cardAction({
    action: "result.correct.open",
    roles: ["法制员", "领导"],
    async run({ tx, now, operator, action }) {
      const { r, draw, target } = await confirmedResult(tx, action.value["resultId"]);
      const content = correctionCard({
        resultId: r.id,
        taskCode: draw.taskCode,
        targetName: target?.name ?? "",
        creditCode: r.targetId,
        result: await resultView(tx, r),
      });
      await enqueueMessage(
        tx,
        {
          key: `result:${r.id}:correct-form:${operator.openId}:${now.getTime()}`,
          to: { openId: operator.openId },
          msgType: "interactive",
          content,
        },
        now,
      );
      return { toast: { type: "success", content: "更正表单已私聊发送给您" } };
    },
  });

  /** A correction is a new version; the old one stays (current = false) and the change is audited. */
  bot.cardAction({
    action: "result.correct",
    roles: ["法制员", "领导"],
    async run({ tx, now, today, operator, action }) {
      const { r, draw, target } = await confirmedResult(tx, action.value["resultId"]);
      const reason = String(action.formValue["correction_reason"] ?? "").trim();
      if (reason === "") return { toast: { type: "error", content: "更正理由：必填" } };
      const parsed = parseResultForm(action.formValue, await resultDates(tx, draw, today));
      if (!parsed.ok) return { toast: { type: "error", content: parsed.message } };
      await tx.result.update({ where: { id: r.id }, data: { current: false } });
      const corrected = await tx.result.create({
        data: {
          drawId: r.drawId,
          targetId: r.targetId,
          version: r.version + 1,
          ...parsed.value,
          submittedBy: r.submittedBy,
          status: "confirmed",
          confirmedBy: r.confirmedBy,
          confirmedAt: r.confirmedAt,
          publicityDue: r.publicityDue,
          publicityDueUncovered: r.publicityDueUncovered,
          confirmedOn: r.confirmedOn,
          publishedAt: r.publishedAt,
          publishedOn: r.publishedOn,
          publishedBy: r.publishedBy,
          correctionReason: reason,
          correctedBy: operator.certNo ?? operator.openId,
        },
      });
      await appendAudit(tx, {
        at: now,
        actor: operator.openId,
        action: "result.correct",
        entity: "result",
        entityId: String(corrected.id),
        data: { replaces: r.id, version: corrected.version, reason, ...parsed.value },
      });
      await reconcileAfterCorrection(tx, r, corrected, { today, now, actor: operator.openId });
      await refreshTeamCards(tx, r.drawId, r.targetId, now, `corrected-${corrected.id}`);
      const view = await resultView(tx, corrected);
      return {
        toast: { type: "success", content: `已更正（第 ${corrected.version} 版），原结果已保留` },
        card: confirmationCard({
          resultId: corrected.id,
          taskCode: draw.taskCode,
          targetName: target?.name ?? "",
          creditCode: r.targetId,
          result: view,
          done: "已更正",
        }),
      };
    },
  });
}
