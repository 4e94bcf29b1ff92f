import { ACTION } from "../../../cards/actions";
import { confirmationCard, correctionCard } from "../../../cards/tasks";
import type { Bot, CardAnswer, CardContext } from "../../bot/bot";
import { showDeadline, workingDeadline } from "../../domain/deadlines";
import { AppError } from "../../domain/errors";
import { parseResultForm } from "../../domain/results";
import { enqueueMessage } from "../../lark/outbox";
import { appendAudit } from "../../store/audit";
import { loadCalendar } from "../../store/calendar";
import { openForResult, reconcileAfterCorrection } from "../followups/service";
import { tellAdminsToImport } from "../jobs/calendarNotice";
import {
  currentResult,
  nameOf,
  openIdOf,
  ownAssignment,
  refreshTaskCard,
  refreshTeamCards,
  resultView,
  targetNameOf,
  taskAnswer,
  type DrawRow,
  type ResultRow,
} from "./taskCard";
import { teamOf } from "./team";
import type { Tx } from "../../store/db";

/** The bounds a result's 检查日期 is checked against: today (the one clock), the task's 开始日期, the reveal's bureau date. */
async function resultDates(tx: Tx, draw: { taskCode: string; revealedOn: string | null }, today: string) {
  const task = await tx.task.findUnique({ where: { code: draw.taskCode }, select: { startDate: true } });
  return { today, taskStart: task?.startDate ?? null, revealDate: draw.revealedOn };
}

/** The confirmation card of one result version (what the partner sees), with what it says is done. */
async function resultCard(tx: Tx, row: ResultRow, taskCode: string, done?: string) {
  return confirmationCard({
    resultId: row.id,
    taskCode,
    targetName: await targetNameOf(tx, row.targetId),
    creditCode: row.targetId,
    result: await resultView(tx, row),
    done,
  });
}

/** An inspector submits (or, after a dispute, resubmits) the result; the partners are asked to confirm. */
async function submitResult({ tx, now, today, operator, action, id }: CardContext): Promise<CardAnswer> {
  const a = await ownAssignment(tx, id("assignmentId"), operator);
  if (a.status === "recused" || a.status === "recusal_requested")
    return taskAnswer(tx, a, { type: "error", content: "回避期间不能提交结果" });
  const existing = await currentResult(tx, a.drawId, a.targetId);
  if (existing && existing.status !== "disputed")
    return taskAnswer(tx, a, { type: "info", content: `本户结果已由${await nameOf(tx, existing.submittedBy)}提交` });
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
  const content = await resultCard(tx, r, a.draw.taskCode);
  for (const partner of (await teamOf(tx, a.drawId, a.targetId)).filter((m) => m.inspectorId !== a.inspectorId)) {
    const openId = await openIdOf(tx, partner.inspectorId);
    if (openId)
      await enqueueMessage(
        tx,
        { key: `result:${r.id}:confirm:${partner.inspectorId}`, to: { openId }, msgType: "interactive", content },
        now,
      );
    await refreshTaskCard(tx, partner.id, now, `result-${r.id}`);
  }
  return taskAnswer(tx, a, { type: "success", content: "检查结果已提交，等待同组确认" });
}

/**
 * The submitted result behind a confirmation card, if the clicker may answer it (someone else on
 * the team); or the answer when they may not, or it was already answered.
 */
async function resultToReview({
  tx,
  operator,
  id,
}: CardContext): Promise<{ answer: CardAnswer } | { answer: undefined; r: ResultRow; draw: DrawRow }> {
  const r = await tx.result.findUnique({ where: { id: id("resultId") } });
  if (!r) throw new AppError("NOT_FOUND", "找不到这条检查结果");
  const onTeam = (await teamOf(tx, r.drawId, r.targetId)).some((m) => m.inspectorId === operator.certNo);
  if (!onTeam) return { answer: { toast: { type: "error", content: "只有同组执法人员可以确认（卡片可能是转发的）" } } };
  if (r.submittedBy === operator.certNo)
    return { answer: { toast: { type: "error", content: "提交人不能自己确认，请由同组另一人确认" } } };
  const draw = await tx.draw.findUniqueOrThrow({ where: { id: r.drawId } });
  if (!r.current || r.status !== "submitted")
    return {
      answer: {
        toast: { type: "info", content: "这条结果已经处理过了" },
        card: await resultCard(tx, r, draw.taskCode, r.status === "confirmed" ? "已确认" : "已处理"),
      },
    };
  return { answer: undefined, r, draw };
}

/** The partner objects: the submitter is told why and resubmits on the task card. */
async function disputeResult(ctx: CardContext): Promise<CardAnswer> {
  const { tx, now, operator, requiredText } = ctx;
  const found = await resultToReview(ctx);
  if (found.answer) return found.answer;
  const { r, draw } = found;
  const why = requiredText("reason", "异议理由");
  const updated = await tx.result.update({ where: { id: r.id }, data: { status: "disputed", disputeReason: why } });
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
  const submitterOpenId = await openIdOf(tx, r.submittedBy);
  if (submitterOpenId) {
    const name = (await targetNameOf(tx, r.targetId)) || r.targetId;
    await enqueueMessage(
      tx,
      {
        key: `result:${r.id}:disputed`,
        to: { openId: submitterOpenId },
        msgType: "text",
        content: { text: `同组对 ${name} 的检查结果有异议：${why}。请核实后在任务卡片上重新提交。` },
      },
      now,
    );
  }
  return {
    toast: { type: "success", content: "已提出异议" },
    card: await resultCard(tx, updated, draw.taskCode, "有异议"),
  };
}

/** The partner confirms: the publicity deadline starts (working days from today) and follow-ups open. */
async function confirmResult(ctx: CardContext): Promise<CardAnswer> {
  const { tx, now, today, deps, operator } = ctx;
  const found = await resultToReview(ctx);
  if (found.answer) return found.answer;
  const { r, draw } = found;
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
    card: await resultCard(tx, updated, draw.taskCode, "已确认"),
  };
}

const confirmedResult = async (tx: Tx, id: number) => {
  const r = await tx.result.findUnique({ where: { id } });
  if (!r || !r.current || r.status !== "confirmed")
    throw new AppError("NOT_CORRECTABLE", "只能更正已确认的现行结果（该结果可能已被更正）");
  const draw = await tx.draw.findUniqueOrThrow({ where: { id: r.drawId } });
  return { answer: undefined, r, draw };
};

/** 「更正结果」 on a shared list: the form goes to the clicker privately, the list stays as it is for everyone. */
async function openCorrection({ tx, now, operator, id }: CardContext): Promise<CardAnswer> {
  const { r, draw } = await confirmedResult(tx, id("resultId"));
  const content = correctionCard({
    resultId: r.id,
    taskCode: draw.taskCode,
    targetName: await targetNameOf(tx, r.targetId),
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
}

/** A correction is a new version; the old one stays (current = false) and the change is audited. */
async function correctResult({ tx, now, today, operator, action, id, requiredText }: CardContext): Promise<CardAnswer> {
  const { r, draw } = await confirmedResult(tx, id("resultId"));
  const reason = requiredText("correction_reason", "更正理由");
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
  return {
    toast: { type: "success", content: `已更正（第 ${corrected.version} 版），原结果已保留` },
    card: await resultCard(tx, corrected, draw.taskCode, "已更正"),
  };
}

/** 检查结果: submitted by one inspector, confirmed or disputed by a partner, corrected by a 法制员 or 领导. */
export function registerResults(bot: Bot): void {
  bot.cardAction({ action: ACTION.result.submit, roles: [], run: submitResult });
  bot.cardAction({ action: ACTION.result.confirm, roles: [], run: confirmResult });
  bot.cardAction({ action: ACTION.result.dispute, roles: [], run: disputeResult });
  bot.cardAction({ action: ACTION.result.correctOpen, roles: ["法制员", "领导"], run: openCorrection });
  bot.cardAction({ action: ACTION.result.correct, roles: ["法制员", "领导"], run: correctResult });
}
