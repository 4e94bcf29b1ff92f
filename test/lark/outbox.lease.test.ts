import * as lark from "@larksuiteoapi/node-sdk";
import { afterAll, describe, expect, it } from "vitest";
import { enqueueMessage, OutboxSender } from "../../src/lark/outbox";
import { createLogger } from "../../src/logger";
import { FakeFeishu } from "../../src/sandbox/fakeFeishu";
import { openDatabase } from "../../src/store/db";
import { freshDb } from "../helpers/db";

/**
 * Two senders over two connections to one database (the bot and a `drbot jobs run` beside it):
 * each row is claimed in the database before it is sent, so each message is posted once — not
 * merely de-duplicated by Feishu's uuid afterwards.
 */
let fake: FakeFeishu;
afterAll(async () => fake?.close());

describe("outbox leases", () => {
  it("two senders draining the same outbox at once post each message exactly once", async () => {
    const appId = "cli_1ea5e0000000aa01";
    fake = new FakeFeishu({ appId, appSecret: "s" });
    const N = 24;
    for (let k = 0; k < N; k++) fake.addUser(`ou_lease${k}`, `人员${k}`);
    const domain = await fake.listen();
    const { db, url } = freshDb();
    const other = openDatabase(url);
    for (let k = 0; k < N; k++)
      await enqueueMessage(
        db,
        { key: `lease:${k}`, to: { openId: `ou_lease${k}` }, msgType: "text", content: { text: `第${k}条` } },
        new Date(),
      );
    const client = () => new lark.Client({ appId, appSecret: "s", domain, loggerLevel: lark.LoggerLevel.error });
    const a = new OutboxSender(db, client(), createLogger("silent"));
    const b = new OutboxSender(other, client(), createLogger("silent"));
    expect(a.name).not.toBe(b.name);

    await Promise.all([a.kick(), b.kick()]);

    const creates = fake.calls.filter((c) => c.method === "POST" && c.path === "/open-apis/im/v1/messages");
    expect(creates).toHaveLength(N); // no message was even attempted twice
    expect(new Set(fake.messages.map((m) => m.receive_id)).size).toBe(N);
    const rows = await db.outboxMessage.findMany();
    expect(rows.every((r) => r.status === "sent" && r.leaseUntil === null)).toBe(true);
    a.stop();
    b.stop();
    await db.$disconnect();
    await other.$disconnect();
  });
});
