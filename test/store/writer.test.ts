import { afterAll, describe, expect, it } from "vitest";
import { openDatabase, type Db } from "../../src/store/db";
import { writeTx } from "../../src/store/tx";
import { freshDb } from "../helpers/db";

/**
 * The writer discipline under the bot (src/store/adapter.ts), shown deterministically: two
 * connections to one file (the serving and the processing thread, or the bot and a CLI) and
 * statements interleaved inside one connection's transaction.
 */
const opened: Db[] = [];
afterAll(async () => {
  for (const d of opened) await d.$disconnect();
});
const ticks = async (n = 20) => {
  for (let k = 0; k < n; k++) await new Promise((r) => setImmediate(r));
};
function twoConnections(): [Db, Db] {
  const { db, url } = freshDb();
  const other = openDatabase(url);
  opened.push(db, other);
  return [db, other];
}

describe("one writer at a time", () => {
  it("a transaction that reads and then writes is not failed by another connection's commit in between (no SQLITE_BUSY_SNAPSHOT)", async () => {
    const [a, b] = twoConnections();
    await b.setting.count(); // connected
    let other: Promise<unknown> | null = null;
    // Plain $transaction, no retry: BEGIN IMMEDIATE alone must make this safe.
    await a.$transaction(async (tx) => {
      await tx.setting.findMany(); // read first: with a deferred BEGIN this fixes the snapshot
      other = b.setting.create({ data: { key: "from-b", value: "1" } }); // the other connection writes meanwhile
      // It commits at once with a deferred BEGIN; here it waits for this transaction (never resolves
      // inside it), so the wait is bounded rather than awaited.
      await Promise.race([other, new Promise((r) => setTimeout(r, 500))]);
      await tx.setting.create({ data: { key: "from-a", value: "1" } }); // then this one writes
    });
    await other;
    expect((await a.setting.findMany({ orderBy: { key: "asc" } })).map((s) => s.key)).toEqual(["from-a", "from-b"]);
  });

  it("a statement issued outside an open transaction on the same connection neither joins it nor sees it", async () => {
    const [db] = twoConnections();
    let outside: Promise<unknown> | null = null;
    let seenInside = -1;
    await expect(
      db.$transaction(async (tx) => {
        await tx.setting.create({ data: { key: "inside", value: "1" } });
        seenInside = await db.setting.count(); // another request's read: committed data only
        outside = db.setting.create({ data: { key: "outside", value: "1" } }); // e.g. an event stored while a click runs
        await ticks();
        throw new Error("the click fails and rolls back");
      }),
    ).rejects.toThrow("rolls back");
    await outside;
    expect(seenInside).toBe(0);
    expect((await db.setting.findMany()).map((s) => s.key)).toEqual(["outside"]); // kept: it was never part of the click
  });

  it("writeTx re-runs a whole transaction that could not get the lock in time", async () => {
    const [a, b] = twoConnections();
    let runs = 0;
    let release!: () => void;
    const held = new Promise<void>((r) => (release = r));
    const holder = a.$transaction(
      async (tx) => {
        await tx.setting.create({ data: { key: "holder", value: "1" } });
        await held;
      },
      { timeout: 10_000 },
    );
    await ticks();
    const waiter = writeTx(
      b,
      async (tx) => {
        runs++;
        await tx.setting.create({ data: { key: "waiter", value: "1" } });
      },
      { maxWait: 200, budgetMs: 10_000 },
    );
    await new Promise((r) => setTimeout(r, 600)); // several attempts time out while the lock is held
    release();
    await holder;
    await waiter;
    expect(runs).toBe(1); // the body ran once: only attempts that never started were repeated
    expect((await b.setting.findMany({ orderBy: { key: "asc" } })).map((s) => s.key)).toEqual(["holder", "waiter"]);
  });
});
