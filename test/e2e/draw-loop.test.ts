import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DEMO_OPEN_IDS } from "../../src/demo/data";
import type { DrawRecord } from "../../src/domain/draw/types";
import { verify } from "../../src/domain/draw/verify";
import { start } from "../../src/main";
import { FakeFeishu } from "../../src/sandbox/fakeFeishu";
import type { Runtime } from "../../src/runtime";
import type { Db } from "../../src/store/db";
import { loadDemo, tempDir } from "../helpers/db";
import { encryptBody, FAKE, messageEvent, signedHeaders } from "../helpers/lark";

const GROUP = FAKE.group;
const LEADER = DEMO_OPEN_IDS.leader; // 领导;执法人员 in the demo roster
const WITNESS = DEMO_OPEN_IDS.legal; // 法制员: registered staff, not the orderer
const INSPECTOR = DEMO_OPEN_IDS.inspectorA; // 执法人员 only
const STRANGER = "ou_57a4e457a4e457a4e457a4e457a4e457";
const BOT = "ou_b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0";

let fake: FakeFeishu;
let base: string;
let db: Db;
let runtime: Runtime;
let stop: () => Promise<void>;
let seq = 0;

/** POST an event exactly as Feishu would: encrypted, signed over the raw body, with a fresh timestamp. */
async function deliver(envelope: unknown, pathname = "/lark/events"): Promise<Response> {
  const raw = encryptBody(envelope);
  return fetch(`${base}${pathname}`, { method: "POST", body: raw, headers: signedHeaders(raw, Math.floor(Date.now() / 1000)) });
}

function say(sender: string, text: string, chat = GROUP, chatType: "group" | "p2p" = "group") {
  seq++;
  const mentions = chatType === "group" ? [{ key: "@_user_1", openId: BOT, name: "双随机助手", bot: true }] : [];
  return messageEvent({ eventId: `ev-${seq}`, messageId: `om_msg_${seq}`, text: chatType === "group" ? `@_user_1 ${text}` : text, sender, chatId: chat, chatType, mentions });
}

function click(operator: string, value: Record<string, unknown>, formValue?: Record<string, unknown>, messageId = "om_card") {
  seq++;
  return {
    schema: "2.0",
    header: { event_id: `card-${seq}`, token: FAKE.token, create_time: String(Date.now() * 1000), event_type: "card.action.trigger", tenant_key: "t", app_id: FAKE.appId },
    event: {
      operator: { tenant_key: "t", open_id: operator, union_id: "on_x" },
      token: "c-update-token",
      action: { value, tag: "button", name: formValue ? "confirm_draw" : "cancel_draw", ...(formValue ? { form_value: formValue } : {}) },
      host: "im_message",
      context: { open_message_id: messageId, open_chat_id: GROUP },
    },
  };
}

const textOf = (m: { content: string; msg_type: string }) => (m.msg_type === "text" ? (JSON.parse(m.content) as { text: string }).text : JSON.stringify(JSON.parse(m.content)));
const settle = () => runtime.idle();

beforeAll(async () => {
  fake = new FakeFeishu({ appId: FAKE.appId, appSecret: FAKE.appSecret, botOpenId: BOT });
  for (const [name, id] of Object.entries(DEMO_OPEN_IDS)) fake.addUser(id, name);
  fake.addUser(STRANGER, "路人");
  fake.addChat(GROUP, "抽查工作群", [...Object.values(DEMO_OPEN_IDS), STRANGER]);
  const domain = await fake.listen();

  const url = `file:${path.join(tempDir(), "e2e.db")}`;
  const s = await start({
    DATABASE_URL: url,
    PORT: "0",
    HOST: "127.0.0.1",
    LOG_LEVEL: "silent",
    LARK_APP_ID: FAKE.appId,
    LARK_APP_SECRET: FAKE.appSecret,
    LARK_ENCRYPT_KEY: FAKE.encryptKey,
    LARK_VERIFICATION_TOKEN: FAKE.token,
    LARK_DOMAIN: domain,
  });
  db = s.db;
  runtime = s.runtime;
  stop = s.stop;
  await loadDemo(db);
  const a = s.server.address();
  base = `http://127.0.0.1:${typeof a === "object" && a ? a.port : 0}`;
});

afterAll(async () => {
  await stop();
  await fake.close();
});

describe("the public draw, driven the way Feishu drives it", () => {
  let drawId = "";

  it("a leader's 抽取 posts the commitment card to the group (nothing revealed yet)", async () => {
    expect((await deliver(say(LEADER, "抽取 T2026-01"))).status).toBe(200);
    await settle();
    const cards = fake.sentTo(GROUP).filter((m) => m.msg_type === "interactive");
    expect(cards).toHaveLength(1);
    const card = cards[0]!.card as { header: { title: { content: string } }; body: { elements: { tag: string; name?: string }[] } };
    expect(card.header.title.content).toBe("抽取承诺 · T2026-01");
    expect(card.body.elements.some((e) => e.tag === "form" && e.name === "witness_form")).toBe(true);
    const draw = await db.draw.findFirstOrThrow({ where: { taskCode: "T2026-01" } });
    drawId = draw.id;
    expect(draw).toMatchObject({ status: "committed", messageId: cards[0]!.message_id, chatId: GROUP, orderedBy: LEADER });
    expect(JSON.stringify(card)).toContain(draw.commitment);
    expect(JSON.stringify(card)).not.toContain(draw.serverSeed);
  });

  it("a second 抽取 of the same task is refused with a clear message", async () => {
    await deliver(say(LEADER, "抽取 T2026-01"));
    await settle();
    expect(textOf(fake.sentTo(GROUP).at(-1)!)).toMatch(/已有待见证的抽取/);
    expect(await db.draw.count()).toBe(1);
  });

  it("the orderer can't witness; a stranger clicking a forwarded card changes nothing", async () => {
    const own = await (await deliver(click(LEADER, { action: "draw.confirm", drawId }, { entropy: "1-2-3" }), "/lark/cards")).json();
    expect(own).toEqual({ toast: { type: "error", content: "见证人不能是发起抽取的人，请由其他工作人员确认" } });
    const stranger = await (await deliver(click(STRANGER, { action: "draw.confirm", drawId }, { entropy: "1-2-3" }), "/lark/cards")).json();
    expect(stranger).toMatchObject({ toast: { type: "error" } });
    const noEntropy = await (await deliver(click(WITNESS, { action: "draw.confirm", drawId }, { entropy: "  " }), "/lark/cards")).json();
    expect(noEntropy).toMatchObject({ toast: { type: "error", content: "请先在输入框填写见证随机数" } });
    expect((await db.draw.findUniqueOrThrow({ where: { id: drawId } })).status).toBe("committed");
  });

  it("the witness confirms: the card turns into the revealed card and the announcement follows", async () => {
    const res = await deliver(click(WITNESS, { action: "draw.confirm", drawId }, { entropy: "掷骰 3-6-1-4" }), "/lark/cards");
    const answer = (await res.json()) as { toast: { type: string; content: string }; card: { type: string; data: { header: { title: { content: string } } } } };
    expect(answer.toast.type).toBe("success");
    expect(answer.card.type).toBe("raw");
    expect(answer.card.data.header.title.content).toBe("抽取已揭示 · T2026-01");
    await settle();
    const draw = await db.draw.findUniqueOrThrow({ where: { id: drawId } });
    expect(draw).toMatchObject({ status: "revealed", witnessOpenId: WITNESS });
    const record = JSON.parse(draw.record) as DrawRecord;
    expect(verify(record).ok).toBe(true);
    const announcement = fake.sentTo(GROUP).filter((m) => m.msg_type === "interactive").at(-1)!;
    expect((announcement.card as { header: { title: { content: string } } }).header.title.content).toBe("双随机抽查结果公告 · T2026-01");
    for (const t of record.selection.targets) expect(JSON.stringify(announcement.card)).toContain(t.id);
    expect(JSON.stringify(announcement.card)).toContain(record.seed);
  });

  it("a double click reveals nothing new and posts no second announcement", async () => {
    const before = fake.messages.length;
    const again = (await (await deliver(click(WITNESS, { action: "draw.confirm", drawId }, { entropy: "other" }), "/lark/cards")).json()) as { toast: { content: string } };
    expect(again.toast.content).toBe("这次抽取已经揭示过了");
    await settle();
    expect(fake.messages.length).toBe(before);
  });

  it("a non-leader's 抽取 is refused politely, naming the role", async () => {
    await deliver(say(INSPECTOR, "抽取 T2026-03"));
    await settle();
    expect(textOf(fake.sentTo(GROUP).at(-1)!)).toBe("抱歉，「抽取」仅限领导、管理员使用。");
    expect(await db.draw.count({ where: { taskCode: "T2026-03" } })).toBe(0);
  });

  it("the orderer can cancel a committed draw on the card; the attempt stays listed", async () => {
    await deliver(say(LEADER, "抽取T2026-03"));
    await settle();
    const draw = await db.draw.findFirstOrThrow({ where: { taskCode: "T2026-03" } });
    const byOther = (await (await deliver(click(WITNESS, { action: "draw.cancel", drawId: draw.id }), "/lark/cards")).json()) as { toast: { content: string } };
    expect(byOther.toast.content).toBe("只有发起人或管理员可以取消抽取");
    const res = (await (await deliver(click(LEADER, { action: "draw.cancel", drawId: draw.id }), "/lark/cards")).json()) as { card: { data: { header: { title: { content: string } } } } };
    expect(res.card.data.header.title.content).toBe("抽取已取消 · T2026-03");
    expect((await db.draw.findUniqueOrThrow({ where: { id: draw.id } })).status).toBe("cancelled");
  });
});

describe("chat commands", () => {
  it("进度, 我的任务, 计划 and 统计 answer with the registers' figures; unknown words get a hint", async () => {
    await deliver(say(LEADER, "进度 T2026-01"));
    await settle();
    expect(textOf(fake.sentTo(GROUP).at(-1)!)).toMatch(/T2026-01.*已抽取.*抽中 6｜已接受 0｜已提交 0/);

    const p2p = "oc_p2p_leader";
    fake.addChat(p2p, "私聊", [LEADER]);
    await deliver(say(LEADER, "我的任务", p2p, "p2p"));
    await deliver(say(LEADER, "计划 2026", p2p, "p2p"));
    await deliver(say(LEADER, "统计", p2p, "p2p"));
    await deliver(say(LEADER, "抽签", p2p, "p2p"));
    await settle();
    const replies = fake.sentTo(p2p).map(textOf);
    expect(replies).toHaveLength(4);
    expect(replies[1]).toMatch(/2026 年度抽查计划/);
    expect(replies[2]).toMatch(/2026 年度统计/);
    expect(replies[3]).toBe("没有「抽签」这个命令。发送「帮助」查看可用命令。");
  });

  it("group chatter without an @mention is ignored, and a duplicate delivery answers once", async () => {
    const before = fake.sentTo(GROUP).length;
    const plain = messageEvent({ eventId: "ev-quiet", messageId: "om_quiet", text: "抽取 T2026-02", sender: LEADER, chatId: GROUP, chatType: "group" });
    await deliver(plain);
    const help = say(LEADER, "帮助");
    await deliver(help);
    await deliver(help);
    await settle();
    const after = fake.sentTo(GROUP).slice(before);
    expect(after).toHaveLength(1);
    expect(textOf(after[0]!)).toContain("双随机抽查助手 · 命令");
    expect(await db.draw.count({ where: { taskCode: "T2026-02" } })).toBe(0);
  });
});
