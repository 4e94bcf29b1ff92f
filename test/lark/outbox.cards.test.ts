import * as lark from "@larksuiteoapi/node-sdk";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { enqueueMessage, enqueuePatch, OutboxSender } from "../../src/lark/outbox";
import { withoutSensitive } from "../../src/lark/sensitive";
import { createLogger } from "../../src/logger";
import { FakeFeishu } from "../../src/sandbox/fakeFeishu";
import type { Db } from "../../src/store/db";
import { freshDb } from "../helpers/db";

/** Cards that outlive Feishu's window and its reviews: 230031, a locked card (230099), 230028. */
const card = (title: string, extra: Record<string, unknown>[] = []) => ({
  schema: "2.0",
  config: { update_multi: true },
  header: { title: { tag: "plain_text", content: title } },
  body: { elements: [{ tag: "markdown", content: title }, ...extra] },
});
let seq = 0;
let fake: FakeFeishu;
let db: Db;
let client: lark.Client;
let platformNow = Date.now();
const admin = "ou_ad0000ad0000ad0000ad0000ad0000ad";
const lines: { level: string; msg: string }[] = [];

beforeEach(async () => {
  const appId = `cli_card${String(++seq).padStart(12, "0")}`;
  platformNow = Date.now();
  fake = new FakeFeishu({ appId, appSecret: "s", now: () => platformNow });
  fake.addUser("ou_u1", "王检查");
  fake.addUser(admin, "管理员");
  client = new lark.Client({ appId, appSecret: "s", domain: await fake.listen(), loggerLevel: lark.LoggerLevel.error });
  db = freshDb().db;
  lines.length = 0;
});
afterEach(async () => fake.close());

const logger = () => {
  const l = createLogger("silent");
  for (const level of ["info", "warn", "error"] as const)
    (l as unknown as Record<string, unknown>)[level] = (_o: unknown, msg: string) => void lines.push({ level, msg });
  return l;
};
const sender = (opts: ConstructorParameters<typeof OutboxSender>[3] = {}) =>
  new OutboxSender(db, client, logger(), { adminOpenIds: async () => [admin], ...opts });

async function sentCard(): Promise<string> {
  await enqueueMessage(
    db,
    { key: `c-${Math.random()}`, to: { openId: "ou_u1" }, msgType: "interactive", content: card("任务") },
    new Date(),
  );
  await sender().kick();
  return fake.sentTo("ou_u1").at(-1)!.message_id;
}

describe("outbox and old cards", () => {
  it("230031 on a patch (card older than 14 days) is skipped quietly: one log line, no audit, no admin notice", async () => {
    const messageId = await sentCard();
    platformNow += 15 * 24 * 3600 * 1000;
    await enqueuePatch(db, { key: "old-patch", messageId, card: card("已确认") }, new Date());
    await sender().kick();
    expect(await db.outboxMessage.findUniqueOrThrow({ where: { idemKey: "old-patch" } })).toMatchObject({
      status: "skipped",
      attempts: 1,
    });
    expect(fake.calls.filter((c) => c.code === 230031)).toHaveLength(1);
    expect(await db.auditLog.count({ where: { action: "outbox.failed" } })).toBe(0);
    expect(fake.sentTo(admin)).toHaveLength(0);
    expect(lines).toEqual([{ level: "info", msg: "card older than 14 days, update skipped" }]);
  });

  it("230099 saying the card is locked is transient (retried); other 230099 stay permanent", async () => {
    const messageId = await sentCard();
    fake.failNext(
      (p) => p.startsWith("/open-apis/im/v1/messages/"),
      230099,
      "Failed to update card content, ext=card is locked, another update is in progress",
      1,
    );
    await enqueuePatch(db, { key: "locked", messageId, card: card("已提交") }, new Date());
    let clock = Date.now();
    const s = sender({ now: () => clock });
    await s.kick();
    expect(await db.outboxMessage.findUniqueOrThrow({ where: { idemKey: "locked" } })).toMatchObject({
      status: "pending",
      attempts: 1,
    });
    clock += 1000;
    await s.kick();
    s.stop();
    expect(await db.outboxMessage.findUniqueOrThrow({ where: { idemKey: "locked" } })).toMatchObject({
      status: "sent",
    });
    expect(fake.sentTo("ou_u1").at(-1)!.card).toMatchObject({ header: { title: { content: "已提交" } } });

    fake.failNext(
      (p) => p.startsWith("/open-apis/im/v1/messages/"),
      230099,
      "Failed to create card content, ext=ErrCode: 11310",
      1,
    );
    await enqueuePatch(db, { key: "too-many", messageId, card: card("x") }, new Date());
    await sender().kick();
    expect(await db.outboxMessage.findUniqueOrThrow({ where: { idemKey: "too-many" } })).toMatchObject({
      status: "failed",
      attempts: 1,
    });
  });

  it("230028 (data-leak review): the card is resent without its sensitive parts rather than failing", async () => {
    fake.sensitivePattern = /1[3-9]\d{9}/;
    const phone = { tag: "markdown", element_id: "sensitive_phone", content: "**电话**：13812345678" };
    await enqueueMessage(
      db,
      { key: "with-phone", to: { openId: "ou_u1" }, msgType: "interactive", content: card("任务", [phone]) },
      new Date(),
    );
    await sender().kick();
    const row = await db.outboxMessage.findUniqueOrThrow({ where: { idemKey: "with-phone" } });
    expect(row).toMatchObject({ status: "sent", attempts: 2 });
    const [m] = fake.sentTo("ou_u1");
    expect(JSON.stringify(m!.card)).not.toContain("13812345678");
    expect(m!.card).toMatchObject({ header: { title: { content: "任务" } } });
    expect(fake.sentTo(admin)).toHaveLength(0);
    // Nothing sensitive to drop: a permanent failure as before.
    await enqueueMessage(
      db,
      { key: "plain", to: { openId: "ou_u1" }, msgType: "text", content: { text: "13812345678" } },
      new Date(),
    );
    await sender().kick();
    expect(await db.outboxMessage.findUniqueOrThrow({ where: { idemKey: "plain" } })).toMatchObject({
      status: "failed",
    });
  });

  it("withoutSensitive drops marked elements at any depth and reports when there are none", () => {
    const c = card("t", [
      {
        tag: "form",
        name: "f",
        elements: [
          { tag: "button", name: "b", element_id: "sensitive_btn" },
          { tag: "input", name: "i" },
        ],
      },
    ]);
    expect(JSON.parse(withoutSensitive(JSON.stringify(c))!).body.elements[1].elements).toEqual([
      { tag: "input", name: "i" },
    ]);
    expect(withoutSensitive(JSON.stringify(card("t")))).toBeNull();
    expect(withoutSensitive("not json")).toBeNull();
  });
});
