import type { DbOrTx } from "../store/db";

/**
 * The queue side of the outbox: a message is written inside the caller's transaction and exists
 * only if that change commits; the sender (outbox.ts) delivers it afterwards.
 */

export interface OutgoingCreate {
  key: string; // business idempotency key, e.g. "draw:T2026-01-1:commit"
  to: { chatId: string } | { openId: string };
  msgType: "interactive" | "text" | "file";
  content: unknown; // serialized to the JSON string Feishu expects
  onSent?: string;
}

export interface OutgoingPatch {
  key: string;
  messageId: string;
  card: unknown;
}

/** The outbox row of a message to create (one shape for a single message and a fan-out chunk). */
export function createRow(m: OutgoingCreate, now: Date) {
  const [receiveIdType, receiveId] = "chatId" in m.to ? ["chat_id", m.to.chatId] : ["open_id", m.to.openId];
  return {
    idemKey: m.key,
    action: "create",
    receiveIdType,
    receiveId,
    msgType: m.msgType,
    content: JSON.stringify(m.content),
    onSent: m.onSent ?? null,
    nextAttemptAt: now,
  };
}

/** Queue a message inside the caller's transaction: it is sent only if the change it belongs to commits. */
export async function enqueueMessage(tx: DbOrTx, m: OutgoingCreate, now: Date): Promise<void> {
  await queueOnce(tx, createRow(m, now));
}

type OutboxRow = Parameters<DbOrTx["outboxMessage"]["create"]>[0]["data"] & { idemKey: string };

/** The same business key twice (a double click, a retried chunk) queues one message. */
async function queueOnce(tx: DbOrTx, row: OutboxRow): Promise<void> {
  await tx.outboxMessage.upsert({ where: { idemKey: row.idemKey }, create: row, update: {} });
}

/** Many messages at once (a fan-out chunk): two statements whatever the count; keys already queued are left alone. */
export async function enqueueMessages(tx: DbOrTx, ms: OutgoingCreate[], now: Date): Promise<void> {
  if (ms.length === 0) return;
  const queued = new Set(
    (
      await tx.outboxMessage.findMany({ where: { idemKey: { in: ms.map((m) => m.key) } }, select: { idemKey: true } })
    ).map((r) => r.idemKey),
  );
  const fresh = new Map(ms.filter((m) => !queued.has(m.key)).map((m) => [m.key, m]));
  if (fresh.size === 0) return;
  await tx.outboxMessage.createMany({ data: [...fresh.values()].map((m) => createRow(m, now)) });
}

/** A file message whose bytes are built when it is sent (e.g. a draw's record), named by `source`. */
export interface OutgoingFile {
  key: string;
  to: { chatId: string } | { openId: string };
  fileName: string;
  source: string; // e.g. "draw.json:T2026-01-1"
}

export async function enqueueFile(tx: DbOrTx, f: OutgoingFile, now: Date): Promise<void> {
  await queueOnce(tx, {
    idemKey: f.key,
    action: "file",
    receiveIdType: "chatId" in f.to ? "chat_id" : "open_id",
    receiveId: "chatId" in f.to ? f.to.chatId : f.to.openId,
    msgType: "file",
    content: JSON.stringify({ fileName: f.fileName, source: f.source }),
    nextAttemptAt: now,
  });
}

/** Builds a queued file's bytes at send time; the sender uploads them, then posts the file message. */
export type FileSource = (source: string) => Promise<{ bytes: Buffer; fileType: "stream" | "xls" | "pdf" | "doc" }>;

export async function enqueuePatch(tx: DbOrTx, p: OutgoingPatch, now: Date): Promise<void> {
  await queueOnce(tx, {
    idemKey: p.key,
    action: "patch",
    receiveId: p.messageId,
    msgType: "interactive",
    content: JSON.stringify(p.card),
    nextAttemptAt: now,
  });
}
