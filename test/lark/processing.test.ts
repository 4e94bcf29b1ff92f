import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ProcessingThread } from "../../src/lark/processing";
import { healthOf } from "../../src/lark/health";
import { storeEvent } from "../../src/lark/inbox";
import { IntakeSignal } from "../../src/lark/intakeSignal";
import { FakeFeishu } from "../../src/sandbox/fakeFeishu";
import { openDatabase, type Db } from "../../src/store/db";
import { tempDir } from "../helpers/db";
import { FAKE, messageEvent } from "../helpers/lark";

const BOT = "ou_b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0";
const USER = "ou_a11ce0a11ce0a11ce0a11ce0a11ce0a1";

async function until(what: string, probe: () => Promise<boolean> | boolean, ms = 60_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await probe())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

let fake: FakeFeishu;
let db: Db;
let env: NodeJS.ProcessEnv;
let seq = 0;
beforeAll(async () => {
  fake = new FakeFeishu({ appId: FAKE.appId, appSecret: FAKE.appSecret, botOpenId: BOT });
  fake.addUser(USER, "张三");
  const domain = await fake.listen();
  const url = `file:${path.join(tempDir(), "sup.db")}`;
  db = openDatabase(url);
  env = {
    DATABASE_URL: url,
    LARK_APP_ID: FAKE.appId,
    LARK_APP_SECRET: FAKE.appSecret,
    LARK_VERIFICATION_TOKEN: FAKE.token,
    LARK_DOMAIN: domain,
    LOG_LEVEL: "silent",
  };
});
afterAll(async () => {
  await db.$disconnect();
  await fake.close();
});

/** A p2p 帮助: answered with one message to the user. */
async function helpEvent(): Promise<void> {
  seq++;
  fake.addChat(`oc_p2p_${seq}`, "私聊", [USER]);
  await storeEvent(
    db,
    messageEvent({
      eventId: `ev-sup-${seq}`,
      messageId: `om_sup_${seq}`,
      text: "帮助",
      sender: USER,
      chatId: `oc_p2p_${seq}`,
      chatType: "p2p",
    }),
    new Date(),
  );
}
const answered = () => fake.messages.filter((m) => m.receive_id.startsWith("oc_p2p_")).length;

function thread(opts: { stallMs?: number } = {}) {
  return new ProcessingThread(
    { env, intake: new IntakeSignal().buffer, clockOffset: new SharedArrayBuffer(4), botOpenId: BOT },
    { stallMs: opts.stallMs ?? 120_000, backoffMs: 20, maxBackoffMs: 100 },
  );
}

// Each test starts (and restarts) a real thread over the compiled entry: seconds on a busy machine.
describe("the supervised processing thread", { timeout: 180_000 }, () => {
  it("a thread that dies is restarted, reported unhealthy meanwhile, and the new one processes what was stored", async () => {
    const bg = thread();
    try {
      await bg.ready;
      expect(bg.healthy()).toBe(true);
      await (bg as unknown as { worker: { terminate(): Promise<number> } }).worker.terminate(); // dies under us
      expect(bg.healthy()).toBe(false);
      expect((await healthOf({ db, now: () => new Date(), processingAlive: () => bg.healthy() })).status).toBe(
        "processing",
      );
      await until("the restart", () => bg.restarts === 1 && bg.healthy());
      const before = answered();
      await helpEvent();
      bg.events();
      await bg.idle();
      await until("the answer", () => answered() === before + 1);
      expect(await db.inboxEvent.count({ where: { status: "pending" } })).toBe(0);
    } finally {
      await bg.stop();
    }
  });

  it("a thread that stops making progress (heartbeat stalls) is restarted", async () => {
    const bg = thread({ stallMs: 2000 });
    try {
      await bg.ready;
      const worker = (bg as unknown as { worker: { postMessage(m: unknown): void } }).worker;
      worker.postMessage({ type: "test:block", ms: 120_000 }); // stuck, but alive: no exit, no error
      await until("the stall to be seen", () => !bg.healthy());
      await until("the restart", () => bg.restarts >= 1 && bg.healthy());
      const before = answered();
      await helpEvent();
      bg.events();
      await until("the answer from the new thread", () => answered() === before + 1, 60_000);
    } finally {
      await bg.stop();
    }
  });

  it("stop() is bounded even when the thread is stuck", async () => {
    const bg = thread();
    await bg.ready;
    (bg as unknown as { worker: { postMessage(m: unknown): void } }).worker.postMessage({
      type: "test:block",
      ms: 60_000,
    });
    const t0 = Date.now();
    await bg.stop();
    // Bounded: the 4 s stop timeout, then terminate (slower on a loaded machine), far below the 60 s block and
    // within the 10 s an operator's SIGTERM allows.
    expect(Date.now() - t0).toBeLessThan(10_000);
  });
});

describe("/healthz's backlog", () => {
  it("counts pending events and answers backlog once the oldest ready one has waited over 60 s", async () => {
    const { db: fresh } = { db: openDatabase(`file:${path.join(tempDir(), "h.db")}`) };
    try {
      const now = new Date();
      const alive = { processingAlive: () => true, now: () => now };
      expect(await healthOf({ db: fresh, ...alive })).toEqual({ status: "ok", backlog: 0, oldestPendingSeconds: 0 });
      await storeEvent(
        fresh,
        messageEvent({ eventId: "e1", messageId: "m1", text: "帮助", sender: USER, chatId: "c", chatType: "p2p" }),
        new Date(now.getTime() - 30_000),
      );
      expect(await healthOf({ db: fresh, ...alive })).toEqual({ status: "ok", backlog: 1, oldestPendingSeconds: 30 });
      await storeEvent(
        fresh,
        messageEvent({ eventId: "e2", messageId: "m2", text: "帮助", sender: USER, chatId: "c", chatType: "p2p" }),
        new Date(now.getTime() - 61_000),
      );
      expect(await healthOf({ db: fresh, ...alive })).toEqual({
        status: "backlog",
        backlog: 2,
        oldestPendingSeconds: 61,
      });
      // Done and given-up events are not backlog.
      await fresh.inboxEvent.updateMany({ where: { eventId: "e2" }, data: { status: "failed" } });
      await fresh.inboxEvent.updateMany({ where: { eventId: "e1" }, data: { status: "done" } });
      expect(await healthOf({ db: fresh, ...alive })).toEqual({ status: "ok", backlog: 0, oldestPendingSeconds: 0 });
      expect((await healthOf({ db: fresh, processingAlive: () => false, now: () => now })).status).toBe("processing");
      expect((await healthOf({ db: fresh, ...alive, wsDown: () => true })).status).toBe("ws");
    } finally {
      await fresh.$disconnect();
    }
  });
});
