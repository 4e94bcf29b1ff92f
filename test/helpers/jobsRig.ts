import { spawn } from "node:child_process";
import path from "node:path";
import { runCli, type Io } from "../../src/cli/main";
import type { Clock } from "../../src/clock";
import { loadConfig } from "../../src/config";
import { commitDraw, revealDraw } from "../../src/features/draw/service";
import { createLarkClient } from "../../src/lark/client";
import { OutboxSender } from "../../src/lark/outbox";
import { cardActionEnvelope } from "../../src/lark/wire";
import { createLogger } from "../../src/logger";
import { projectRoot } from "../../src/paths";
import { createBot } from "../../src/runtime";
import { FakeFeishu } from "../../src/sandbox/fakeFeishu";
import { clock as drawClock, freshDb, loadDemo, NOW } from "./db";
import { FAKE, FAKE_APP } from "./lark";

export const LEGAL_CHAT = "oc_1e9a1c4a71e9a1c4a71e9a1c4a71e9a1";

/**
 * The demo bureau with task T2026-03 drawn, the simulated Feishu behind the real SDK, and the bot with
 * an injected clock whose bureau date the test moves. Time moves only through that clock and `--at`.
 */
export async function startJobsRig() {
  const fake = new FakeFeishu({ appId: FAKE.appId, appSecret: FAKE.appSecret });
  const domain = await fake.listen();
  const { db, url } = freshDb();
  await loadDemo(db);
  // The demo ships 2027's 元旦; this bureau has not imported 2027's schedule yet.
  await db.holiday.deleteMany({ where: { date: { startsWith: "2027-" } } });
  for (const i of await db.inspector.findMany()) if (i.openId) fake.addUser(i.openId, i.name);
  const legal = await db.inspector.findFirstOrThrow({ where: { roles: { contains: "法制员" } } });
  fake.addChat(LEGAL_CHAT, "法制办", [legal.openId!]);
  fake.addChat(FAKE.group, "抽查工作群", (await db.inspector.findMany()).map((i) => i.openId!).filter(Boolean));
  const env: NodeJS.ProcessEnv = {
    DATABASE_URL: url,
    LARK_APP_ID: FAKE.appId,
    LARK_APP_SECRET: FAKE.appSecret,
    LARK_VERIFICATION_TOKEN: FAKE.token,
    LARK_DOMAIN: domain,
    LARK_LEGAL_CHAT_ID: LEGAL_CHAT,
    LARK_ANNOUNCE_CHAT_ID: FAKE.group,
    LOG_LEVEL: "silent",
  };
  // A fixed server seed (with the fixed witness entropy, a fixed draw): these tests are about the jobs, not
  // the randomness, and who is drawn (the 领导 is in the pool too) must not change from run to run.
  const { commitment } = await commitDraw(db, { taskCode: "T2026-03", orderedBy: "ou_leader" }, drawClock, () =>
    "5eed".repeat(16),
  );
  await revealDraw(db, { drawId: commitment.drawId, witnessOpenId: "ou_witness", entropy: "4-2-4-2" }, drawClock);
  const drawId = commitment.drawId;

  let today = "2026-12-01";
  const clock: Clock = { now: () => NOW, today: () => today };
  const config = loadConfig(env);
  const logger = createLogger("silent");
  const bot = createBot({ db, config, logger, clock });
  const sender = new OutboxSender(db, createLarkClient(config), logger);

  let seq = 0;
  /** A card click as Feishu sends it, answered by the bot (validated, role-checked, one transaction). */
  const press = (openId: string, value: Record<string, unknown>, formValue?: Record<string, unknown>) =>
    bot.onCard(
      db,
      cardActionEnvelope(FAKE_APP, {
        eventId: `card-${++seq}`,
        operator: openId,
        value,
        ...(formValue ? { formValue } : {}),
        messageId: "om_x",
        chatId: FAKE.group,
        createTimeMs: NOW.getTime(),
      }),
    );

  /** `drbot …` in-process against the fake Feishu. */
  const drbot = async (args: string[], extra: NodeJS.ProcessEnv = {}) => {
    const out: string[] = [];
    const err: string[] = [];
    const io: Io = { out: (t) => out.push(t), err: (t) => err.push(t), now: () => NOW };
    const code = await runCli(args, io, { ...env, ...extra });
    return { code, out: out.join("\n"), err: err.join("\n") };
  };

  /** `drbot …` as a separate OS process (a second process beside another). */
  const drbotProcess = (args: string[]) =>
    new Promise<{ code: number; out: string; err: string }>((resolve) => {
      const child = spawn(process.execPath, [path.join(projectRoot, "bin", "drbot.js"), ...args], {
        env: { ...process.env, ...env },
      });
      let out = "";
      let err = "";
      child.stdout.on("data", (d: Buffer) => (out += d.toString()));
      child.stderr.on("data", (d: Buffer) => (err += d.toString()));
      child.on("close", (code) => resolve({ code: code ?? -1, out, err }));
    });

  const openIdOf = async (certNo: string) => (await db.inspector.findUniqueOrThrow({ where: { certNo } })).openId!;
  const cardText = (m: { content: string }) => m.content;

  return {
    fake,
    db,
    env,
    bot,
    drawId,
    press,
    drbot,
    drbotProcess,
    openIdOf,
    cardText,
    setToday: (d: string) => void (today = d),
    /**
     * Sends what the bot queued (card-caused messages) to the fake Feishu, retries included: the
     * in-process `drbot jobs run` senders have their own pacers, so Feishu's 5/s per person can
     * refuse one of ours (230020), which the sender retries after its backoff. Waits for that, not
     * for a fixed time; gives up after 60 s (the assertions then fail).
     */
    deliver: async () => {
      const giveUp = Date.now() + 60_000;
      for (;;) {
        await sender.kick();
        const next = await db.outboxMessage.findFirst({
          where: { status: "pending" },
          orderBy: { nextAttemptAt: "asc" },
        });
        if (!next || Date.now() > giveUp) return;
        const due = Math.max(next.nextAttemptAt.getTime(), next.leaseUntil?.getTime() ?? 0);
        await new Promise((r) => setTimeout(r, Math.max(10, Math.min(due - Date.now(), giveUp - Date.now()))));
      }
    },
    stop: async () => {
      sender.stop();
      await db.$disconnect();
      await fake.close();
    },
  };
}

export type JobsRig = Awaited<ReturnType<typeof startJobsRig>>;
