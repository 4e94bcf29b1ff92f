import pino from "pino";
import { beforeAll, describe, expect, it } from "vitest";
import { Bot } from "../../src/bot/bot";
import { BureauClock } from "../../src/clock";
import { DEMO_OPEN_IDS } from "../../src/demo/data";
import { AppError } from "../../src/domain/errors";
import type { Db } from "../../src/store/db";
import { writeTx } from "../../src/store/tx";
import { freshDb, loadDemo, NOW } from "../helpers/db";
import { FAKE, messageEvent } from "../helpers/lark";

// The Bot core alone: one command per branch of the dispatch, over a real database with the demo roster.
const BOT = "ou_b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0";
const OTHER_BOT = "ou_0the40the40the40the40the40the40t";
const STRANGER = "ou_57a4e457a4e457a4e457a4e457a4e457";
let db: Db;
let bot: Bot;
const ran: string[][] = [];
let seq = 0;

beforeAll(async () => {
  db = freshDb().db;
  await loadDemo(db);
  bot = new Bot({
    config: {
      BOT_ADMIN_OPEN_IDS: [],
      LARK_ANNOUNCE_CHAT_ID: undefined,
      LARK_LEGAL_CHAT_ID: undefined,
      TZ_BUREAU: "Asia/Shanghai",
      PUBLICITY_WORKING_DAYS: 20,
      BUREAU_NAME: "测试局",
    },
    clock: new BureauClock({ timeZone: "Asia/Shanghai", instant: () => NOW }),
    logger: pino({ level: "silent" }),
    botOpenId: BOT,
  });
  bot.command({
    name: "draw",
    roles: ["领导"],
    usage: "抽取 <任务编号>",
    summary: "抽取",
    groupOnly: true,
    run: async (ctx) => {
      ran.push(ctx.args);
      await ctx.reply(`已抽取 ${ctx.args.join(" ")}`);
    },
  });
  bot.command({
    name: "progress",
    roles: [],
    usage: "进度",
    summary: "进度",
    run: () => Promise.reject(new AppError("TASK_NOT_FOUND", "没有这个任务")),
  });
  bot.command({
    name: "stats",
    roles: [],
    usage: "统计",
    summary: "统计",
    run: () => Promise.reject(new Error("boom")),
  });
});

/** Delivers one message and returns the texts the bot queued in answer. */
async function say(
  sender: string,
  text: string,
  o: { chatType?: "group" | "p2p"; mention?: string | null } = {},
): Promise<string[]> {
  const chatType = o.chatType ?? "group";
  const mention = o.mention === undefined ? BOT : o.mention;
  const id = `bot-dispatch-${++seq}`;
  const envelope = messageEvent({
    eventId: id,
    messageId: `om_${id}`,
    text,
    sender,
    chatId: chatType === "group" ? FAKE.group : `oc_p2p_${sender}`,
    chatType,
    mentions: mention ? [{ key: "@_user_1", openId: mention, name: "bot", bot: true }] : [],
  });
  await writeTx(db, (tx) => bot.onEvent(tx, envelope));
  const rows = await db.outboxMessage.findMany({ where: { idemKey: { startsWith: `reply:om_${id}:` } } });
  return rows.map((r) => {
    const c = JSON.parse(r.content) as { text?: string };
    return c.text ?? r.content;
  });
}

describe("Bot dispatch: role checks, group-only acts, errors", () => {
  it("a 领导's command in the group runs with its arguments and replies in the chat", async () => {
    expect(await say(DEMO_OPEN_IDS.leader, "@_user_1 抽取 T2026-01")).toEqual(["已抽取 T2026-01"]);
    expect(ran.at(-1)).toEqual(["T2026-01"]);
  });

  it("in a group only mentions of this bot count; another bot's mention is ignored", async () => {
    const before = ran.length;
    expect(await say(DEMO_OPEN_IDS.leader, "抽取 T2026-01", { mention: null })).toEqual([]);
    expect(await say(DEMO_OPEN_IDS.leader, "@_user_1 抽取 T2026-01", { mention: OTHER_BOT })).toEqual([]);
    expect(ran.length).toBe(before);
  });

  it("someone without the role is told who may, and why they may not", async () => {
    const before = ran.length;
    const [inspector] = await say(DEMO_OPEN_IDS.inspectorA, "@_user_1 抽取 T2026-01");
    expect(inspector).toBe("抱歉，「抽取」仅限领导使用。");
    const [stranger] = await say(STRANGER, "@_user_1 抽取 T2026-01");
    expect(stranger).toBe("抱歉，「抽取」仅限领导使用。您尚未登记在执法检查人员名录库中。");
    expect(ran.length).toBe(before);
  });

  it("a public act asked for in p2p gets a hint to use the group, and does not run", async () => {
    const before = ran.length;
    const [hint] = await say(DEMO_OPEN_IDS.leader, "抽取 T2026-01", { chatType: "p2p", mention: null });
    expect(hint).toMatch(/^「抽取」是公开行为，请在工作群中 @我 发起/);
    expect(ran.length).toBe(before);
  });

  it("an unknown command is named back; a coded error becomes a Chinese notice card", async () => {
    expect(await say(DEMO_OPEN_IDS.leader, "@_user_1 抽签")).toEqual([
      "没有「抽签」这个命令。发送「帮助」查看可用命令。",
    ]);
    const [notice] = await say(DEMO_OPEN_IDS.leader, "@_user_1 进度");
    expect(notice).toContain("没有这个任务");
    expect(notice).toContain("未能完成");
  });

  it("an unexpected error is not swallowed (the inbox retries the event) and queues no reply", async () => {
    await expect(say(DEMO_OPEN_IDS.leader, "@_user_1 统计")).rejects.toThrow("boom");
    expect(await db.outboxMessage.count({ where: { idemKey: { startsWith: `reply:om_bot-dispatch-${seq}:` } } })).toBe(
      0,
    );
  });
});
