import { afterAll, describe, expect, it } from "vitest";
import { enqueueMessages, type OutgoingCreate } from "../../src/lark/outbox";
import { insertPrepared, prepareRows } from "../../src/lark/outboxBulk";
import { writerInTransaction, type Db } from "../../src/store/db";
import { writeTx } from "../../src/store/tx";
import { freshDb, NOW } from "../helpers/db";

/**
 * A reveal's fan-out queues its task cards on the writer connection directly, synchronously inside
 * the chunk's transaction: the rows must be what Prisma would have written (the sender reads them
 * back through Prisma), a repeated chunk queues nothing twice, and a rolled-back chunk queues nothing.
 */
const opened: Db[] = [];
afterAll(async () => {
  for (const d of opened) await d.$disconnect();
});
const message = (k: number): OutgoingCreate => ({
  key: `task:${k}:card`,
  to: { openId: `ou_${k}` },
  msgType: "interactive",
  content: { schema: "2.0", body: { elements: [{ tag: "markdown", content: `任务 ${k}` }] } },
  onSent: `assignment.card:${k}`,
});

describe("bulk outbox rows on the writer connection", () => {
  it("writes the rows Prisma writes, once per key, only inside a write transaction", async () => {
    const { db } = freshDb();
    const { db: viaPrisma } = freshDb();
    opened.push(db, viaPrisma);
    expect(writerInTransaction(db)).toBeNull(); // no transaction open: not handed out
    const ms = [1, 2, 3].map(message);
    const rows = prepareRows(ms, NOW);
    await writeTx(db, async () => insertPrepared(writerInTransaction(db)!, rows));
    await writeTx(db, async () => insertPrepared(writerInTransaction(db)!, prepareRows([message(3), message(4)], NOW)));
    await writeTx(viaPrisma, (tx) => enqueueMessages(tx, [...ms, message(4)], NOW));

    const read = async (d: Db) =>
      (await d.outboxMessage.findMany({ orderBy: { id: "asc" } })).map(({ id: _id, createdAt: _c, ...r }) => r);
    expect(await read(db)).toEqual(await read(viaPrisma));
    expect((await read(db)).map((r) => r.idemKey)).toEqual([
      "task:1:card",
      "task:2:card",
      "task:3:card",
      "task:4:card",
    ]);
    const due = await db.outboxMessage.count({ where: { status: "pending", nextAttemptAt: { lte: NOW } } });
    expect(due).toBe(4); // the sender's query finds them
  });

  it("a chunk whose transaction fails queues nothing", async () => {
    const { db } = freshDb();
    opened.push(db);
    await expect(
      writeTx(db, async () => {
        insertPrepared(writerInTransaction(db)!, prepareRows([message(1)], NOW));
        throw new Error("crash before the cursor commits");
      }),
    ).rejects.toThrow("crash");
    expect(await db.outboxMessage.count()).toBe(0);
  });
});
