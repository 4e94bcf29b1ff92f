import { ACTION } from "../../../cards/actions";
import { createHash } from "node:crypto";
import { withdrawalCard, type WithdrawalLine } from "../../../cards/withdrawal";
import type { Bot } from "../../bot/bot";
import { holdersOf } from "../../bot/roles";
import { amend } from "../../domain/draw/amend";
import { recordHashOf } from "../../domain/draw/record";
import type { DrawRecord } from "../../domain/draw/types";
import { AppError } from "../../domain/errors";
import { enqueueMessage } from "../../lark/outbox";
import { appendAudit } from "../../store/audit";
import type { Tx } from "../../store/db";
import { nameOf, refreshTaskCard, refreshTeamCards, sendTaskCard } from "./taskCard";

const MAX_LINES = 40; // keeps the card far below 30 KB

/**
 * Open assignments of one person who is 离岗: still on a revealed draw's team and the target has no
 * confirmed result yet (once confirmed, the inspection is done and nobody needs replacing).
 */
async function openAssignmentsOf(tx: Tx, certNo: string) {
  const rows = await tx.assignment.findMany({
    where: {
      inspectorId: certNo,
      status: { in: ["assigned", "accepted", "recusal_requested"] },
      draw: { status: "revealed" },
    },
    include: { draw: true },
    orderBy: { id: "asc" },
  });
  const out: typeof rows = [];
  for (const a of rows) {
    const confirmed = await tx.result.findFirst({
      where: { drawId: a.drawId, targetId: a.targetId, current: true, status: "confirmed" },
      select: { id: true },
    });
    if (!confirmed) out.push(a);
  }
  return out;
}

/** Everyone 离岗 who still holds open assignments. */
export async function pendingWithdrawals(tx: Tx) {
  const departed = await tx.inspector.findMany({ where: { status: { not: "在岗" } }, orderBy: { certNo: "asc" } });
  const out: { certNo: string; name: string; assignments: Awaited<ReturnType<typeof openAssignmentsOf>> }[] = [];
  for (const p of departed) {
    const assignments = await openAssignmentsOf(tx, p.certNo);
    if (assignments.length > 0) out.push({ certNo: p.certNo, name: p.name, assignments });
  }
  return out;
}

async function linesOf(
  tx: Tx,
  assignments: { drawId: string; targetId: string; draw: { taskCode: string } }[],
): Promise<WithdrawalLine[]> {
  const names = new Map(
    (
      await tx.target.findMany({
        where: { creditCode: { in: assignments.map((a) => a.targetId) } },
        select: { creditCode: true, name: true },
      })
    ).map((t) => [t.creditCode, t.name]),
  );
  return assignments.map((a) => ({
    taskCode: a.draw.taskCode,
    targetName: names.get(a.targetId) ?? "",
    creditCode: a.targetId,
  }));
}

/** The card for one departed person, as a 领导 gets it (also re-issued by 我的任务). */
export async function withdrawalCardFor(
  tx: Tx,
  w: { certNo: string; name: string; assignments: Awaited<ReturnType<typeof openAssignmentsOf>> },
) {
  const lines = await linesOf(tx, w.assignments.slice(0, MAX_LINES));
  return withdrawalCard({ certNo: w.certNo, name: w.name, lines, more: Math.max(0, w.assignments.length - MAX_LINES) });
}

/**
 * The trigger, run after every roster import (chat or CLI): each 领导 gets one card per departed
 * person with open assignments. Keyed by the set of assignments, so a re-import of the same roster
 * asks nothing twice, and a new open assignment asks again.
 */
export async function noticeWithdrawals(tx: Tx, now: Date, adminOpenIds: readonly string[]): Promise<number> {
  const pending = await pendingWithdrawals(tx);
  if (pending.length === 0) return 0;
  const leaders = await holdersOf(tx, "领导");
  for (const w of pending) {
    const set = createHash("sha256")
      .update(w.assignments.map((a) => a.id).join(","))
      .digest("hex")
      .slice(0, 16);
    if (leaders.length === 0) {
      const admins = [...new Set([...(await holdersOf(tx, "管理员")).map((a) => a.openId), ...adminOpenIds])];
      const text = `【人员撤换】${w.name}（${w.certNo}）已离岗，仍有 ${w.assignments.length} 项未完成的检查任务，但目前没有在岗的领导可以确认撤换。请在名录库中登记领导。`;
      for (const admin of admins)
        await enqueueMessage(
          tx,
          {
            key: `withdrawal:${w.certNo}:${set}:noleader:${admin}`,
            to: { openId: admin },
            msgType: "text",
            content: { text },
          },
          now,
        );
      continue;
    }
    const content = await withdrawalCardFor(tx, w);
    for (const leader of leaders)
      await enqueueMessage(
        tx,
        {
          key: `withdrawal:${w.certNo}:${set}:ask:${leader.openId}`,
          to: { openId: leader.openId },
          msgType: "interactive",
          content,
        },
        now,
      );
  }
  return pending.length;
}

export function registerWithdrawal(bot: Bot): void {
  /** A 领导 confirms: every open assignment of the departed person gets a `withdrawal` amendment and a replacement. */
  bot.cardAction({
    action: ACTION.withdrawal.confirm,
    roles: ["领导"],
    async run({ tx, now, deps, operator, param }) {
      const certNo = param("certNo");
      const person = await tx.inspector.findUnique({ where: { certNo } });
      if (!person) throw new AppError("NOT_FOUND", "找不到这名执法人员");
      if (person.status === "在岗") return { toast: { type: "info", content: `${person.name} 现为在岗，无需撤换` } };
      const open = await openAssignmentsOf(tx, certNo);
      if (open.length === 0)
        return {
          toast: { type: "info", content: "已经撤换过了，没有未完成的任务" },
          card: withdrawalCard({ certNo, name: person.name, lines: [], done: { by: operator.openId } }),
        };
      const lines: WithdrawalLine[] = [];
      const byDraw = new Map<string, DrawRecord>();
      for (const a of open) {
        let record = byDraw.get(a.drawId) ?? (JSON.parse(a.draw.record) as DrawRecord);
        record = amend(record, {
          inspectorId: certNo,
          targetId: a.targetId,
          at: now.toISOString(),
          kind: "withdrawal",
        });
        byDraw.set(a.drawId, record);
        const replacementId = record.amendments.at(-1)!.replacementId;
        const recordHash = recordHashOf(record);
        await tx.draw.update({ where: { id: a.drawId }, data: { record: JSON.stringify(record), recordHash } });
        await tx.assignment.update({ where: { id: a.id }, data: { status: "withdrawn" } });
        // A recusal request of someone who left is moot: the withdrawal replaces them anyway.
        await tx.recusalRequest.updateMany({
          where: { drawId: a.drawId, targetId: a.targetId, inspectorId: certNo, status: "pending" },
          data: {
            status: "rejected",
            decidedBy: operator.openId,
            decisionReason: "人员已离岗，已撤换",
            decidedAt: now,
          },
        });
        const target = await tx.target.findUnique({
          where: { creditCode: a.targetId },
          select: { version: true, name: true },
        });
        const replacement = await tx.assignment.create({
          data: {
            drawId: a.drawId,
            targetId: a.targetId,
            targetVersion: target?.version ?? 1,
            inspectorId: replacementId,
          },
          include: { draw: true },
        });
        await appendAudit(tx, {
          at: now,
          actor: operator.openId,
          action: "draw.withdrawal",
          entity: "draw",
          entityId: a.drawId,
          data: { inspectorId: certNo, targetId: a.targetId, replacementId, recordHash },
        });
        await refreshTaskCard(tx, a.id, now, "withdrawn");
        await sendTaskCard(tx, replacement, now);
        await refreshTeamCards(tx, a.drawId, a.targetId, now, `withdrawal-${a.id}`, replacement.id);
        const replacementName = await nameOf(tx, replacementId);
        lines.push({
          taskCode: a.draw.taskCode,
          targetName: target?.name ?? "",
          creditCode: a.targetId,
          replacementName,
        });
        if (a.draw.chatId) {
          const text = `【撤换】${person.name} 已离岗，不再负责 ${target?.name ?? ""}（${a.targetId}），按抽取记录确定性替换为 ${replacementName}（可用 drbot verify 复核）。`;
          await enqueueMessage(
            tx,
            { key: `withdrawal:${a.id}:group`, to: { chatId: a.draw.chatId }, msgType: "text", content: { text } },
            now,
          );
        }
      }
      // The frozen pool can't know who left since: a replacement who is 离岗 too is asked about in turn.
      await noticeWithdrawals(tx, now, deps.config.BOT_ADMIN_OPEN_IDS);
      return {
        toast: { type: "success", content: `已撤换 ${lines.length} 项，替换人员已收到任务` },
        card: withdrawalCard({ certNo, name: person.name, lines, done: { by: operator.openId } }),
      };
    },
  });
}
