import { afterAll, describe, expect, it } from "vitest";
import { Bot } from "../../src/bot/bot";
import { InboxWorker, storeEvent } from "../../src/lark/inbox";
import type { Envelope } from "../../src/lark/wire";
import { createLogger } from "../../src/logger";
import type { Db } from "../../src/store/db";
import { freshDb } from "../helpers/db";
import { messageEvent } from "../helpers/lark";

/**
 * A failure can be followed with one grep for its event_id: every line the handler and the worker
 * write about an event carries event_id, chat_id and user (an open_id), and the error as pino's `err`.
 */
const NOW = new Date("2026-12-01T02:00:00Z");
const USER = "ou_10g0000000000000000000000000000001";
const ADMIN = "ou_10g00000000000000000000000000000ad";
const dbs: Db[] = [];
afterAll(async () => {
  for (const d of dbs) await d.$disconnect();
});

type Line = Record<string, unknown> & {
  msg: string;
  level: number;
  err?: { type: string; message: string; stack: string };
};

function rig() {
  const { db } = freshDb();
  dbs.push(db);
  const lines: Line[] = [];
  const logger = createLogger("info", {
    env: {},
    destination: { write: (s: string) => void lines.push(JSON.parse(s)) },
  });
  const bot = new Bot({
    config: {
      BOT_ADMIN_OPEN_IDS: [ADMIN],
      LARK_ANNOUNCE_CHAT_ID: undefined,
      LARK_LEGAL_CHAT_ID: undefined,
      TZ_BUREAU: "Asia/Shanghai",
      PUBLICITY_WORKING_DAYS: 20,
      BUREAU_NAME: "某县交通运输局",
    },
    clock: { now: () => NOW, today: () => "2026-12-01" },
    logger,
    botOpenId: null,
  });
  // A command with a bug: it logs a step through its context, then throws something that is not an AppError.
  bot.command({
    name: "stats",
    roles: [],
    usage: "统计",
    summary: "统计",
    run: async (ctx) => {
      ctx.log.info({ step: "counting" }, "stats started");
      throw new Error("boom: the figures went missing");
    },
  });
  bot.cardAction({
    action: "task.accept",
    roles: [],
    run: async (ctx) => {
      ctx.log.info("card handler started");
      throw new TypeError("cannot read the card's value");
    },
  });
  const worker = new InboxWorker({
    db,
    handle: (tx, e, prepared, log) => bot.onEvent(tx, e, prepared, log),
    logger,
    now: () => NOW,
    backoffMs: [5_000],
    setTimer: () => () => {}, // the retry is not run here
  });
  return { db, bot, worker, lines };
}

describe("a child logger per event", () => {
  it("every line about a failing command carries its event_id, chat and user, and the error as err", async () => {
    const { db, worker, lines } = rig();
    const event = (id: string, text: string) =>
      messageEvent({ eventId: id, messageId: `om_${id}`, text, sender: USER, chatId: "oc_10gchat", chatType: "p2p" });
    await storeEvent(db, event("ev-fails", "统计") as Envelope, NOW);
    await storeEvent(db, event("ev-fine", "帮助？") as Envelope, NOW);
    await worker.kick();

    const mine = lines.filter((l) => l["event_id"] === "ev-fails");
    expect(mine.map((l) => l.msg)).toEqual(["stats started", "event handler failed, will retry"]);
    for (const l of mine) expect(l).toMatchObject({ chat_id: "oc_10gchat", user: USER });
    const failure = mine[1]!;
    expect(failure.level).toBe(50);
    expect(failure.err).toMatchObject({ type: "Error", message: "boom: the figures went missing" });
    expect(failure.err!.stack).toContain("eventLog.test.ts"); // the stack, not just the message
    // Nothing about the failure is logged without the event_id.
    expect(lines.filter((l) => l.level >= 40 && l["event_id"] !== "ev-fails")).toEqual([]);
    expect((await db.inboxEvent.findFirstOrThrow({ where: { eventId: "ev-fails" } })).status).toBe("pending");
  });

  it("a card callback that fails gets 「系统繁忙」 and its log lines carry the callback's event_id", async () => {
    const { db, bot, lines } = rig();
    const answer = await bot.onCard(db, {
      schema: "2.0",
      header: { event_id: "ev-card-1", event_type: "card.action.trigger" },
      event: {
        operator: { open_id: ADMIN },
        action: { value: { action: "task.accept" } },
        context: { open_message_id: "om_card", open_chat_id: "oc_10gcards" },
      },
    });
    expect(answer).toEqual({ toast: { type: "error", content: "系统繁忙，请稍后再试" } });
    const mine = lines.filter((l) => l["event_id"] === "ev-card-1");
    expect(mine.map((l) => l.msg)).toEqual(["card handler started", "card action failed"]);
    for (const l of mine) expect(l).toMatchObject({ chat_id: "oc_10gcards", user: ADMIN });
    expect(mine[1]!.err).toMatchObject({ type: "TypeError", message: "cannot read the card's value" });
  });
});
