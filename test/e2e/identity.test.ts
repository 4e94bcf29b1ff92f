import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DEMO_OPEN_IDS } from "../../src/demo/data";
import { isAppError } from "../../src/domain/errors";
import { start } from "../../src/main";
import { FakeFeishu } from "../../src/sandbox/fakeFeishu";
import { startBotRig, type BotRig } from "../helpers/botRig";
import { tempDir } from "../helpers/db";
import { FAKE, messageEvent } from "../helpers/lark";

const LEADER = DEMO_OPEN_IDS.leader;
let rig: BotRig;
beforeAll(async () => {
  rig = await startBotRig();
});
afterAll(async () => rig.stop());

describe("only this bot, only in the group", () => {
  it("抽取 in a p2p chat gets the hint to use the group and draws nothing", async () => {
    const p2p = "oc_p2p_leader_identity";
    rig.fake.addChat(p2p, "私聊", [LEADER]);
    await rig.deliver(rig.say(LEADER, "抽取 T2026-02", p2p, "p2p"));
    await rig.settle();
    const replies = rig.fake.sentTo(p2p).map(rig.textOf);
    expect(replies).toHaveLength(1);
    expect(replies[0]).toMatch(/^「抽取」是公开行为，请在工作群中 @我 发起/);
    expect(await rig.db.draw.count({ where: { taskCode: "T2026-02" } })).toBe(0);
  });

  it("in a group, an @ of another bot is not a command; an @ of this bot is", async () => {
    const before = rig.fake.sentTo(FAKE.group).length;
    const otherBot = messageEvent({
      eventId: "ev-other-bot",
      messageId: "om_other_bot",
      text: "@_user_1 帮助",
      sender: LEADER,
      chatId: FAKE.group,
      chatType: "group",
      mentions: [{ key: "@_user_1", openId: "ou_0the7b0t0the7b0t0the7b0t0the7b0", name: "别的机器人", bot: true }],
    });
    await rig.deliver(otherBot);
    await rig.deliver(rig.say(LEADER, "帮助")); // mentions this bot (the rig's BOT, as the fake reports it)
    await rig.settle();
    const after = rig.fake.sentTo(FAKE.group).slice(before);
    expect(after).toHaveLength(1);
    expect(rig.textOf(after[0]!)).toContain("双随机抽查助手 · 命令");
  });
});

describe("reading the bot's open_id at start-up", () => {
  it("retries while Feishu fails, then starts; after the window it fails naming the cause", async () => {
    const appId = "cli_1d0000000000b0b1"; // its own app: the SDK caches tenant tokens per app id for the process
    const fake = new FakeFeishu({ appId, appSecret: FAKE.appSecret });
    const domain = await fake.listen();
    const env = {
      DATABASE_URL: `file:${path.join(tempDir(), "id.db")}`,
      PORT: "0",
      HOST: "127.0.0.1",
      LOG_LEVEL: "silent",
      LARK_APP_ID: appId,
      LARK_APP_SECRET: FAKE.appSecret,
      LARK_VERIFICATION_TOKEN: FAKE.token,
      LARK_DOMAIN: domain,
    };
    try {
      const botInfo = (p: string) => p === "/open-apis/bot/v3/info";
      fake.failNext(botInfo, 99991672, "Access denied. One of the following scopes is required: [bot]", 1_000_000);
      // A window that holds several attempts even when one round trip is slow on a loaded machine (at 600 ms
      // a first attempt that took longer was also the last, and "it retried" failed).
      const refused = await start(env, { botInfoWindowMs: 3000 }).then(
        () => null,
        (e: unknown) => e,
      );
      expect(isAppError(refused)).toBe(true);
      expect((refused as Error).message).toMatch(/无法从飞书读取机器人信息.*99991672.*Access denied/);
      expect(fake.calls.filter((c) => botInfo(c.path)).length).toBeGreaterThan(1); // it retried

      fake.failures.length = 0;
      fake.failNext(botInfo, 500, "internal error", 2, 500); // two transient failures, then success
      const s = await start(env, { botInfoWindowMs: 30_000 });
      await s.stop();
      expect(fake.calls.filter((c) => botInfo(c.path) && c.code === 0)).toHaveLength(1);
    } finally {
      await fake.close();
    }
  });
});
