import * as lark from "@larksuiteoapi/node-sdk";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { enqueueMessage, enqueuePatch, OutboxSender } from "../../src/lark/outbox";
import { Pacer } from "../../src/lark/pacing";
import { createLogger } from "../../src/logger";
import { FakeFeishu } from "../../src/sandbox/fakeFeishu";
import type { Db } from "../../src/store/db";
import { freshDb } from "../helpers/db";

const card = (title: string) => ({
  schema: "2.0",
  config: { update_multi: true },
  header: { title: { tag: "plain_text", content: title } },
  body: { elements: [{ tag: "markdown", content: title }] },
});
let seq = 0;

let fake: FakeFeishu;
let db: Db;
let client: lark.Client;
const admin = "ou_ad0000ad0000ad0000ad0000ad0000ad";

beforeEach(async () => {
  const appId = `cli_test${String(++seq).padStart(12, "0")}`; // the SDK caches tokens per app id, process-wide
  fake = new FakeFeishu({ appId, appSecret: "s" });
  fake.addChat("oc_group", "执法大队", ["ou_u1"]);
  fake.addUser("ou_u1", "王检查");
  fake.addUser(admin, "管理员");
  const domain = await fake.listen();
  client = new lark.Client({ appId, appSecret: "s", domain, loggerLevel: lark.LoggerLevel.error });
  db = freshDb().db;
});
afterEach(async () => fake.close());

const sender = (opts: ConstructorParameters<typeof OutboxSender>[3] = {}) =>
  new OutboxSender(db, client, createLogger("silent"), { adminOpenIds: async () => [admin], ...opts });

describe("outbox", () => {
  it("sends queued cards through the SDK and records the message id", async () => {
    const bound: string[] = [];
    await enqueueMessage(
      db,
      { key: "k1", to: { chatId: "oc_group" }, msgType: "interactive", content: card("承诺"), onSent: "draw:X" },
      new Date(),
    );
    await sender({ onSent: async (_tx, onSent, id) => void bound.push(`${onSent}=${id}`) }).kick();
    const [m] = fake.sentTo("oc_group");
    expect(m?.card).toMatchObject({ schema: "2.0", header: { title: { content: "承诺" } } });
    const row = await db.outboxMessage.findFirstOrThrow();
    expect(row).toMatchObject({ status: "sent", sentMessageId: m!.message_id });
    expect(bound).toEqual([`draw:X=${m!.message_id}`]);

    await enqueuePatch(db, { key: "k1:patch", messageId: m!.message_id, card: card("已揭示") }, new Date());
    await sender().kick();
    expect(fake.sentTo("oc_group")[0]!.card).toMatchObject({ header: { title: { content: "已揭示" } } });
  });

  it("the same business key queues one message (double click)", async () => {
    await enqueueMessage(
      db,
      { key: "same", to: { openId: "ou_u1" }, msgType: "text", content: { text: "a" } },
      new Date(),
    );
    await enqueueMessage(
      db,
      { key: "same", to: { openId: "ou_u1" }, msgType: "text", content: { text: "a" } },
      new Date(),
    );
    await sender().kick();
    expect(fake.sentTo("ou_u1")).toHaveLength(1);
  });

  it("a re-send after a crash between sending and recording posts nothing twice (uuid)", async () => {
    await enqueueMessage(
      db,
      { key: "crashy", to: { chatId: "oc_group" }, msgType: "text", content: { text: "公告" } },
      new Date(),
    );
    await sender().kick();
    // The process died before marking it sent: the row is pending again.
    await db.outboxMessage.updateMany({ data: { status: "pending", sentMessageId: null } });
    await sender().kick();
    expect(fake.sentTo("oc_group")).toHaveLength(1);
    expect((await db.outboxMessage.findFirstOrThrow()).sentMessageId).toBe(fake.sentTo("oc_group")[0]!.message_id);
  });

  it("230002 (bot not in the group) fails once: audited, admins told once, no retries", async () => {
    fake.addChat("oc_gone", "已移除机器人的群", [], false);
    await enqueueMessage(
      db,
      { key: "lost", to: { chatId: "oc_gone" }, msgType: "text", content: { text: "x" } },
      new Date(),
    );
    await sender().kick();
    const row = await db.outboxMessage.findUniqueOrThrow({ where: { idemKey: "lost" } });
    expect(row).toMatchObject({ status: "failed", attempts: 1 });
    expect(row.error).toMatch(/^230002/);
    expect(await db.auditLog.count({ where: { action: "outbox.failed" } })).toBe(1);
    const notices = fake.sentTo(admin);
    expect(notices).toHaveLength(1);
    expect(JSON.parse(notices[0]!.content).text).toMatch(/未能送达（230002/);
    expect(fake.calls.filter((c) => c.code === 230002)).toHaveLength(1);
  });

  it("429 (99991400) and 5xx are retried after x-ogw-ratelimit-reset / backoff, then sent", async () => {
    fake.failNext((p) => p === "/open-apis/im/v1/messages", 99991400, "request trigger frequency limit", 1, 429);
    fake.failNext((p) => p === "/open-apis/im/v1/messages", 500, "internal", 1, 500);
    await enqueueMessage(
      db,
      { key: "retry", to: { chatId: "oc_group" }, msgType: "text", content: { text: "x" } },
      new Date(),
    );
    let clock = Date.now();
    const s = sender({ now: () => clock });
    await s.kick();
    let row = await db.outboxMessage.findFirstOrThrow();
    expect(row).toMatchObject({ status: "pending", attempts: 1 });
    expect(row.nextAttemptAt.getTime() - clock).toBeGreaterThanOrEqual(1000); // reset header: 1 s
    clock += 1000;
    await s.kick();
    row = await db.outboxMessage.findFirstOrThrow();
    expect(row).toMatchObject({ status: "pending", attempts: 2 });
    clock += 2000; // second backoff step
    await s.kick();
    s.stop();
    expect((await db.outboxMessage.findFirstOrThrow()).status).toBe("sent");
    expect(fake.sentTo("oc_group")).toHaveLength(1);
  });

  it("paces a burst to one chat under 5 per second, so Feishu never says 230020", async () => {
    for (let k = 0; k < 12; k++)
      await enqueueMessage(
        db,
        { key: `burst-${k}`, to: { chatId: "oc_group" }, msgType: "text", content: { text: `${k}` } },
        new Date(),
      );
    const t = Date.now();
    await sender().kick();
    expect(fake.sentTo("oc_group")).toHaveLength(12);
    expect(fake.calls.filter((c) => c.code === 230020)).toHaveLength(0);
    expect(Date.now() - t).toBeGreaterThanOrEqual(2000); // 12 messages at 5/s need two full windows
  });
});

describe("Pacer", () => {
  it("allows `rate` per window per key and says how long to wait", () => {
    const p = new Pacer([{ key: (r) => r.receiveId, rate: 2, perMs: 1000 }]);
    const r = { receiveId: "a" };
    expect(p.delay(r, 0)).toBe(0);
    p.record(r, 0);
    p.record(r, 100);
    expect(p.delay(r, 200)).toBe(800);
    expect(p.delay({ receiveId: "b" }, 200)).toBe(0);
    expect(p.delay(r, 1000)).toBe(0);
  });
});
