import { announcementCard, type DrawNames } from "../../../cards/draw";
import type { Bot } from "../../bot/bot";
import { currentTeams } from "../../domain/draw/amend";
import type { DrawRecord } from "../../domain/draw/types";
import { enqueueFile, enqueueMessage, enqueueMessages } from "../../lark/outbox";
import { insertPrepared, prepareRows } from "../../lark/outboxBulk";
import { writerInTransaction, type DbOrTx } from "../../store/db";
import { taskCardMessages } from "../tasks/views";

/** Task cards per chunk: each chunk is one short write transaction (spec §3). */
const FANOUT_CHUNK = 100;

/** Names for the cards, looked up once. */
async function namesFor(db: DbOrTx, record: DrawRecord): Promise<DrawNames> {
  const item = await db.item.findUnique({ where: { code: record.task.itemCode }, select: { name: true } });
  const targetIds = record.selection.targets.map((t) => t.id);
  const targets = new Map(
    (
      await db.target.findMany({ where: { creditCode: { in: targetIds } }, select: { creditCode: true, name: true } })
    ).map((t) => [t.creditCode, { name: t.name }]),
  );
  const people = new Set(currentTeams(record).flatMap((t) => t.inspectorIds));
  const inspectors = new Map(
    (await db.inspector.findMany({ where: { certNo: { in: [...people] } }, select: { certNo: true, name: true } })).map(
      (i) => [i.certNo, { name: i.name }],
    ),
  );
  return { itemName: item?.name ?? record.task.itemCode, targets, inspectors };
}

/**
 * What a reveal sets off, after the witness has had the answer: the announcement and the two files
 * in the draw's chat, then every assigned inspector's task card, FANOUT_CHUNK at a time. The cursor
 * (the last assignment id queued) commits with each chunk, so a crash resumes where it stopped;
 * outbox keys make a repeated chunk queue nothing twice.
 */
export function registerFanOut(bot: Bot): void {
  bot.on("draw.revealed", async ({ db, payload, cursor, now }) => {
    const drawId = String(payload["drawId"]);
    const chatId = String(payload["chatId"]);
    if (cursor === null) {
      const draw = await db.draw.findUniqueOrThrow({ where: { id: drawId } });
      const record = JSON.parse(draw.record) as DrawRecord;
      const names = await namesFor(db, record);
      const teams = new Map(currentTeams(record).map((t) => [t.targetId, t.inspectorIds]));
      const card = announcementCard(record, names, teams);
      return {
        next: "0",
        async apply(tx) {
          await enqueueMessage(
            tx,
            { key: `draw:${drawId}:announce`, to: { chatId }, msgType: "interactive", content: card },
            now,
          );
          // The full record (for drbot verify) and the drawn list (for filing and 公示), as files.
          await enqueueFile(
            tx,
            {
              key: `draw:${drawId}:record`,
              to: { chatId },
              fileName: `抽取记录-${drawId}.json`,
              source: `draw.json:${drawId}`,
            },
            now,
          );
          await enqueueFile(
            tx,
            {
              key: `draw:${drawId}:list`,
              to: { chatId },
              fileName: `抽取名单-${drawId}.xlsx`,
              source: `draw.xlsx:${drawId}`,
            },
            now,
          );
        },
      };
    }
    const batch = await db.assignment.findMany({
      where: { drawId, status: "assigned", id: { gt: Number(cursor) } },
      include: { draw: { select: { taskCode: true } } },
      orderBy: { id: "asc" },
      take: FANOUT_CHUNK,
    });
    const messages = await taskCardMessages(db, batch);
    // Cards are built and serialised here, before the writer is taken: the chunk's transaction only
    // inserts ready rows, so SQLite's lock is held for a millisecond or two (the serving thread
    // waits for it to store each incoming event).
    const rows = prepareRows(messages, now);
    return {
      next: batch.length < FANOUT_CHUNK ? null : String(batch[batch.length - 1]!.id),
      async apply(tx) {
        const raw = writerInTransaction(db);
        if (raw) insertPrepared(raw, rows);
        else await enqueueMessages(tx, messages, now);
      },
    };
  });
}
