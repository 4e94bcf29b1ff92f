import { taskCard, type ResultView, type TaskView } from "../../../cards/tasks";
import type { CardAnswer } from "../../bot/bot";
import type { Person } from "../../bot/roles";
import { AppError } from "../../domain/errors";
import { enqueueMessage, enqueuePatch } from "../../lark/outbox";
import type { Prisma, Tx } from "../../store/db";
import { teamOf } from "./team";
import { taskViews } from "./views";

/*
 * What the task features share: looking up people and results, and sending or refreshing an
 * inspector's task card (every change someone makes shows on every team member's copy).
 */

export type AssignmentRow = Prisma.AssignmentGetPayload<{ include: { draw: true } }>;
export type ResultRow = Prisma.ResultGetPayload<object>;
export type DrawRow = Prisma.DrawGetPayload<object>;

export const nameOf = async (tx: Tx, certNo: string) =>
  (await tx.inspector.findUnique({ where: { certNo } }))?.name ?? certNo;

export const openIdOf = async (tx: Tx, certNo: string) =>
  (await tx.inspector.findUnique({ where: { certNo } }))?.openId ?? null;

export const targetNameOf = async (tx: Tx, creditCode: string) =>
  (await tx.target.findUnique({ where: { creditCode }, select: { name: true } }))?.name ?? "";

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

/** The assignment behind a card, if the person clicking is the one it was sent to. */
export async function ownAssignment(tx: Tx, assignmentId: number, operator: Person): Promise<AssignmentRow> {
  const a = await tx.assignment.findUnique({ where: { id: assignmentId }, include: { draw: true } });
  if (!a) throw new AppError("NOT_FOUND", "找不到这项任务");
  if (a.inspectorId !== operator.certNo)
    throw new AppError("NOT_YOURS", "这不是您的任务，不能操作（卡片可能是转发的）");
  return a;
}

/** Everything a task card shows, from the database as it is now. */
async function taskView(tx: Tx, a: AssignmentRow): Promise<TaskView> {
  return (await taskViews(tx, [a])).get(a.id)!.view;
}

/** A click's answer on a task card: the toast and the card as it now stands. */
export async function taskAnswer(tx: Tx, a: AssignmentRow, toast: CardAnswer["toast"]): Promise<CardAnswer> {
  const fresh = await tx.assignment.findUniqueOrThrow({ where: { id: a.id }, include: { draw: true } });
  return { toast, card: taskCard(await taskView(tx, fresh)) };
}

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
