import { afterAll, beforeEach, describe, expect, it } from "vitest";
import { enqueueJob, InboxWorker, readyBacklog, storeEvent, type JobRunner } from "../../src/lark/inbox";
import type { Envelope } from "../../src/lark/wire";
import { createLogger } from "../../src/logger";
import type { Db, Tx } from "../../src/store/db";
import { freshDb } from "../helpers/db";
import { messageEvent } from "../helpers/lark";

/**
 * Retries on a timer, with an injected clock and timer: nothing sleeps. A failing event waits out
 * its back-off while the events behind it are processed; one that finally fails is reported to the
 * administrators, at most once an hour, with the count.
 */
const T0 = new Date("2026-12-01T02:00:00Z");
const ADMIN = "ou_ad000000000000000000000000000001";
let db: Db;
let now: Date;
let timers: number[];
let fire: (() => void) | null;
const failing = new Set<string>();
const all: Db[] = [];
afterAll(async () => {
  for (const d of all) await d.$disconnect();
});

const event = (k: number): Envelope =>
  messageEvent({
    eventId: `e-${k}`,
    messageId: `om_${k}`,
    text: "帮助",
    sender: "ou_x",
    chatId: "oc_1",
    chatType: "p2p",
  }) as Envelope;
const handler = async (tx: Tx, e: Envelope) => {
  await tx.setting.create({ data: { key: `seen:${e.header!.event_id}`, value: "1" } }); // rolled back if it then fails
  if (failing.has(e.header!.event_id!)) throw new Error("handler bug");
};
const advance = (ms: number) => (now = new Date(now.getTime() + ms));
const worker = (jobs?: (type: string) => JobRunner | undefined) =>
  new InboxWorker({
    db,
    handle: handler,
    logger: createLogger("silent"),
    now: () => now,
    jobs,
    adminOpenIds: async () => [ADMIN],
    backoffMs: [5_000, 30_000],
    setTimer: (fn, ms) => {
      timers.push(ms);
      fire = fn;
      return () => (fire = null);
    },
  });
const seen = async () =>
  (await db.setting.findMany({ where: { key: { startsWith: "seen:" } }, orderBy: { key: "asc" } })).map((s) => s.key);
const reports = () =>
  db.outboxMessage.findMany({ where: { idemKey: { startsWith: "inbox-failures:" } }, orderBy: { id: "asc" } });

beforeEach(() => {
  ({ db } = freshDb());
  all.push(db);
  now = T0;
  timers = [];
  fire = null;
  failing.clear();
});

describe("inbox retries", () => {
  it("a failing event waits out its back-off on a timer and doesn't hold up the events behind it", async () => {
    for (const k of [1, 2, 3]) await storeEvent(db, event(k), now);
    failing.add("e-1");
    const w = worker();
    await w.kick();
    expect(await seen()).toEqual(["seen:e-2", "seen:e-3"]); // the first one's write rolled back; the others went on
    const first = await db.inboxEvent.findUniqueOrThrow({ where: { dedupKey: "msg:om_1" } });
    expect(first).toMatchObject({ status: "pending", attempts: 1 });
    expect(first.nextAttemptAt!.getTime() - T0.getTime()).toBe(5_000);
    expect(timers.at(-1)).toBe(5_000); // the worker comes back by itself
    expect(await readyBacklog(db, now)).toEqual({ backlog: 0, oldestPendingSeconds: 0 }); // waiting out a back-off is not backlog

    advance(3_000);
    await w.kick(); // an early kick (another event arrived) doesn't run it before its time
    expect((await db.inboxEvent.findUniqueOrThrow({ where: { id: first.id } })).attempts).toBe(1);

    advance(4_000);
    expect(await readyBacklog(db, now)).toEqual({ backlog: 1, oldestPendingSeconds: 2 });
    failing.delete("e-1"); // the cause went away
    fire!(); // the timer
    await w.idle();
    expect(await seen()).toEqual(["seen:e-1", "seen:e-2", "seen:e-3"]);
    expect(await db.inboxEvent.findUniqueOrThrow({ where: { id: first.id } })).toMatchObject({
      status: "done",
      attempts: 2,
    });
    expect(await readyBacklog(db, now)).toEqual({ backlog: 0, oldestPendingSeconds: 0 });
    expect(await reports()).toHaveLength(0);
  });

  it("an event that finally fails is reported to the administrators, batched: one message per hour at most, with the count", async () => {
    failing.add("e-1").add("e-2").add("e-3");
    for (const k of [1, 2]) await storeEvent(db, event(k), now);
    const w = worker();
    await w.kick();
    advance(5_000);
    await w.kick();
    expect(timers.at(-1)).toBe(30_000);
    advance(30_000);
    await w.kick(); // third attempt: given up (2 retries configured)
    expect(await db.inboxEvent.count({ where: { status: "failed" } })).toBe(2);
    let sent = await reports();
    expect(sent).toHaveLength(1);
    expect(sent[0]).toMatchObject({ receiveId: ADMIN, receiveIdType: "open_id" });
    expect(JSON.parse(sent[0]!.content).text).toMatch(/有 2 条收到的消息或事件经多次重试/);
    expect(await db.auditLog.count({ where: { action: "inbox.failed.report" } })).toBe(1);

    // Another one gives up ten minutes later: not reported until the hour is over.
    advance(600_000);
    await storeEvent(db, event(3), now);
    await w.kick();
    advance(5_000);
    await w.kick();
    advance(30_000);
    await w.kick();
    expect(await db.inboxEvent.count({ where: { status: "failed" } })).toBe(3);
    expect(await reports()).toHaveLength(1);
    expect(timers.at(-1)).toBe(3_600_000 - 635_000); // comes back when the hour is over

    advance(3_600_000 - 635_000);
    fire!();
    await w.idle();
    sent = await reports();
    expect(sent).toHaveLength(2);
    expect(JSON.parse(sent[1]!.content).text).toMatch(/有 1 条/);
  });

  it("a chunked job resumes from its last committed chunk after a failure, and events run between chunks", async () => {
    await db.$transaction((tx) => enqueueJob(tx, "demo.fanout", "d1", { n: 5 }, now));
    await db.$transaction((tx) => enqueueJob(tx, "demo.fanout", "d1", { n: 5 }, now)); // the same key twice: one job
    let failAt = 3;
    const runs: (string | null)[] = [];
    const job: JobRunner = async ({ payload, cursor }) => {
      const k = cursor === null ? 0 : Number(cursor);
      runs.push(cursor);
      if (k === failAt) {
        failAt = -1;
        throw new Error("crash mid-fan-out");
      }
      return {
        next: k + 1 < (payload as { n: number }).n ? String(k + 1) : null,
        apply: async (tx) => void (await tx.setting.create({ data: { key: `chunk:${k}`, value: "1" } })),
      };
    };
    const w = worker((type) => (type === "demo.fanout" ? job : undefined));
    await w.kick();
    expect(await seen()).toEqual([]);
    expect((await db.setting.findMany()).map((s) => s.key)).toEqual(["chunk:0", "chunk:1", "chunk:2"]);
    await storeEvent(db, event(9), now); // arrives while the job waits out its back-off
    await w.kick();
    expect(await seen()).toEqual(["seen:e-9"]);
    advance(5_000);
    await w.kick();
    expect((await db.setting.findMany({ where: { key: { startsWith: "chunk:" } } })).map((s) => s.key)).toEqual([
      "chunk:0",
      "chunk:1",
      "chunk:2",
      "chunk:3",
      "chunk:4",
    ]);
    expect(runs).toEqual([null, "1", "2", "3", "3", "4"]); // resumed at the failed chunk, none re-done
    expect(await db.inboxEvent.count({ where: { status: "done" } })).toBe(2);
  });
});
