import type { Server } from "node:http";
import path from "node:path";
import { DEMO_OPEN_IDS } from "../../src/demo/data";
import { start, type StartOptions } from "../../src/main";
import type { Runtime } from "../../src/runtime";
import { FakeFeishu } from "../../src/sandbox/fakeFeishu";
import type { Db } from "../../src/store/db";
import { loadDemo, tempDir } from "./db";
import { botMention, cardActionEnvelope, webhookRequest } from "../../src/lark/wire";
import { FAKE, FAKE_APP, messageEvent, productionEnv } from "./lark";

export const BOT = "ou_b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0";

/**
 * The test's fetch keeps connections to the bot alive between requests. Node's server closes an idle one
 * after 5 s; a request sent on it just then (a test step that took over 5 s, e.g. 400 rows written, then
 * an event delivered) failed with ECONNRESET. Feishu retries such a delivery; a test doesn't, so here the
 * server keeps idle connections longer than any pause in a test (fetch honours the Keep-Alive hint).
 */
export function keepIdleConnections(server: Server): void {
  server.keepAliveTimeout = 600_000;
}
export const STRANGER = "ou_57a4e457a4e457a4e457a4e457a4e457";

/** The real bot (npm start's code) over HTTP, the simulated Feishu behind the real SDK, the demo bureau loaded. */
export async function startBotRig(extraEnv: NodeJS.ProcessEnv = {}, opts: StartOptions = {}) {
  const fake = new FakeFeishu({ appId: FAKE.appId, appSecret: FAKE.appSecret, botOpenId: BOT });
  const domain = await fake.listen();
  const s = await start(
    {
      ...productionEnv(domain, path.join(tempDir(), "bot.db")),
      // The bureau date the suite runs at (DRBOT_TODAY=2027-06-01 npm test): the bot reads it through its config.
      ...(process.env.DRBOT_TODAY ? { DRBOT_TODAY: process.env.DRBOT_TODAY } : {}),
      ...extraEnv,
    },
    opts,
  );
  const db: Db = s.db;
  const runtime: Runtime = s.runtime;
  keepIdleConnections(s.server);
  await loadDemo(db);
  // Everyone in the roster can receive private messages; the group has the bot and the staff.
  for (const i of await db.inspector.findMany()) if (i.openId) fake.addUser(i.openId, i.name);
  fake.addUser(STRANGER, "路人");
  fake.addChat(FAKE.group, "抽查工作群", [...Object.values(DEMO_OPEN_IDS), STRANGER]);
  const a = s.server.address();
  const base = `http://127.0.0.1:${typeof a === "object" && a ? a.port : 0}`;
  let seq = 0;

  /** POST an event exactly as Feishu would: encrypted, signed over the raw body, with a fresh timestamp. */
  const deliver = async (envelope: unknown, pathname = "/lark/events"): Promise<Response> => {
    const request = webhookRequest(envelope, {
      encryptKey: FAKE.encryptKey,
      timestampSec: Math.floor(Date.now() / 1000),
    });
    return fetch(`${base}${pathname}`, { method: "POST", ...request });
  };

  const say = (sender: string, text: string, chat = FAKE.group, chatType: "group" | "p2p" = "group") => {
    seq++;
    const mentions = chatType === "group" ? [botMention(BOT)] : [];
    return messageEvent({
      eventId: `ev-${seq}`,
      messageId: `om_msg_${seq}`,
      text: chatType === "group" ? `@_user_1 ${text}` : text,
      sender,
      chatId: chat,
      chatType,
      mentions,
    });
  };

  const click = (
    operator: string,
    value: Record<string, unknown>,
    formValue?: Record<string, unknown>,
    messageId = "om_card",
  ) => {
    seq++;
    return cardActionEnvelope(FAKE_APP, {
      eventId: `card-${seq}`,
      operator,
      value,
      ...(formValue ? { formValue } : {}),
      name: "btn",
      messageId,
      chatId: FAKE.group,
      createTimeMs: Date.now(),
    });
  };

  /** Click and read the synchronous answer. */
  const press = async <
    T = {
      toast?: { type: string; content: string };
      card?: { type: string; data: { header: { title: { content: string } } } };
    },
  >(
    operator: string,
    value: Record<string, unknown>,
    formValue?: Record<string, unknown>,
  ): Promise<T> => (await (await deliver(click(operator, value, formValue), "/lark/cards")).json()) as T;

  const textOf = (m: { content: string; msg_type: string }) =>
    m.msg_type === "text" ? (JSON.parse(m.content) as { text: string }).text : JSON.stringify(JSON.parse(m.content));

  return {
    fake,
    db,
    runtime,
    base,
    deliver,
    say,
    click,
    press,
    textOf,
    /** Until nothing is being processed and nothing waits to be sent (retries included; bounded well below the test timeout). */
    settle: async (boundMs = 60_000) => {
      const deadline = Date.now() + boundMs;
      for (;;) {
        await runtime.idle();
        const send = await db.outboxMessage.findFirst({
          where: { status: "pending" },
          orderBy: { nextAttemptAt: "asc" },
        });
        // An event whose handler failed for a passing reason (e.g. a call to the simulated Feishu cut by a
        // connection reset) waits out its back-off, off the ready queue that idle() sees: wait for it too.
        const retry = await db.inboxEvent.findFirst({
          where: { status: "pending" },
          orderBy: { nextAttemptAt: "asc" },
        });
        if ((!send && !retry) || Date.now() > deadline) return;
        const next = Math.min(
          send?.nextAttemptAt.getTime() ?? Infinity,
          retry ? (retry.nextAttemptAt?.getTime() ?? Date.now()) : Infinity,
        );
        await new Promise((r) => setTimeout(r, Math.max(20, next - Date.now() + 20)));
      }
    },
    stop: async () => {
      await s.stop();
      await fake.close();
    },
  };
}

export type BotRig = Awaited<ReturnType<typeof startBotRig>>;
