import { spawn, type ChildProcess } from "node:child_process";
import path from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { projectRoot } from "../../src/paths";
import { FakeFeishu } from "../../src/sandbox/fakeFeishu";
import { openDatabase } from "../../src/store/db";
import { tempDir } from "../helpers/db";
import { encryptBody, FAKE, messageEvent, signedHeaders } from "../helpers/lark";

/**
 * The product as an operator runs it: `npm start` builds, then runs `node dist/src/main.js`. Here
 * that exact entry is a child process in production mode (credentials set) against the simulated
 * Feishu in this process; nothing is in-process, so nothing here keeps the bot alive but the bot.
 */
const BOT = "ou_b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0";
const USER = "ou_a11ce0a11ce0a11ce0a11ce0a11ce0a1";

interface Bot {
  child: ChildProcess;
  base: string;
  lines: Record<string, unknown>[];
  stderr: () => string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

let fake: FakeFeishu;
let domain: string;
let dbUrl: string;
const running: Bot[] = [];

beforeAll(async () => {
  fake = new FakeFeishu({ appId: FAKE.appId, appSecret: FAKE.appSecret, botOpenId: BOT });
  fake.addUser(USER, "张三");
  fake.addChat(FAKE.group, "抽查工作群", [USER]);
  domain = await fake.listen();
  dbUrl = `file:${path.join(tempDir(), "prod.db")}`;
});
afterEach(() => {
  for (const b of running.splice(0))
    if (b.child.exitCode === null && b.child.signalCode === null) b.child.kill("SIGKILL");
});
afterAll(async () => fake.close());

function production(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  // Only what an operator would set (plus PATH): no test runner variables leak into the bot.
  return {
    PATH: process.env.PATH,
    LARK_APP_ID: FAKE.appId,
    LARK_APP_SECRET: FAKE.appSecret,
    LARK_ENCRYPT_KEY: FAKE.encryptKey,
    LARK_VERIFICATION_TOKEN: FAKE.token,
    LARK_DOMAIN: domain,
    DATABASE_URL: dbUrl,
    PORT: "0",
    HOST: "127.0.0.1",
    ...(process.env.DRBOT_TODAY ? { DRBOT_TODAY: process.env.DRBOT_TODAY } : {}),
    ...extra,
  };
}

/** Spawns the built entry exactly as `npm start` does and waits for its "started" line (it names the port). */
async function spawnBot(env: NodeJS.ProcessEnv): Promise<Bot> {
  const child = spawn(process.execPath, [path.join("dist", "src", "main.js")], {
    cwd: projectRoot,
    env,
    stdio: ["ignore", "pipe", "pipe"],
  });
  const lines: Record<string, unknown>[] = [];
  let err = "";
  let out = "";
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once("exit", (code, signal) => resolve({ code, signal })),
  );
  const started = new Promise<number>((resolve, reject) => {
    child.stdout!.on("data", (c: Buffer) => {
      out += c.toString("utf8");
      const parts = out.split("\n");
      out = parts.pop()!;
      for (const l of parts) {
        try {
          const line = JSON.parse(l) as Record<string, unknown>;
          lines.push(line);
          if (line["msg"] === "double-random-bot started") resolve(Number(line["port"]));
        } catch {
          /* not a log line */
        }
      }
    });
    void exited.then(({ code }) => reject(new Error(`the bot exited (${code}) before it started: ${err}`)));
  });
  child.stderr!.on("data", (c: Buffer) => (err += c.toString("utf8")));
  const bot: Bot = { child, base: "", lines, stderr: () => err, exited };
  running.push(bot);
  bot.base = `http://127.0.0.1:${await started}`;
  return bot;
}

async function until<T>(
  what: string,
  probe: () => Promise<T | undefined | false> | T | undefined | false,
  ms = 60_000,
): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = await probe();
    if (v !== undefined && v !== false) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

const deliver = (base: string, envelope: unknown) => {
  const raw = encryptBody(envelope);
  return fetch(`${base}/lark/events`, {
    method: "POST",
    body: raw,
    headers: signedHeaders(raw, Math.floor(Date.now() / 1000)),
  });
};
const helpIn = (n: number) =>
  messageEvent({
    eventId: `ev-prod-${n}`,
    messageId: `om_prod_${n}`,
    text: "@_user_1 帮助",
    sender: USER,
    chatId: FAKE.group,
    chatType: "group",
    mentions: [{ key: "@_user_1", openId: BOT, name: "双随机助手", bot: true }],
  });
const repliesInGroup = () => fake.sentTo(FAKE.group).length;

describe("node dist/src/main.js in production mode (as npm start runs it)", () => {
  it("answers a signed event, reports health, stops on SIGTERM with 0, and a restart processes nothing twice", async () => {
    const bot = await spawnBot(production());
    expect(bot.lines.some((l) => l["msg"] === "bot identity read from Feishu" && l["botOpenId"] === BOT)).toBe(true);

    // (a) a signed, encrypted event is acknowledged and answered through the simulated Feishu.
    expect((await deliver(bot.base, helpIn(1))).status).toBe(200);
    await until("the reply to reach Feishu", () => repliesInGroup() === 1);
    expect(JSON.parse(fake.sentTo(FAKE.group)[0]!.content)).toMatchObject({ schema: "2.0" }); // 帮助 answers with a card

    // (b) healthy, and production serves nothing but its routes.
    const health = await fetch(`${bot.base}/healthz`);
    expect(health.status).toBe(200);
    expect(await health.json()).toEqual({ status: "ok", backlog: 0, oldestPendingSeconds: 0 });
    expect((await fetch(`${bot.base}/`)).status).toBe(404);
    expect((await fetch(`${bot.base}/draws/x/record.json`)).status).toBe(404);
    expect((await fetch(`${bot.base}/sandbox`)).status).toBe(404);

    // (c) SIGTERM: exit 0 within 10 s.
    const t0 = Date.now();
    bot.child.kill("SIGTERM");
    expect(await bot.exited).toEqual({ code: 0, signal: null });
    expect(Date.now() - t0).toBeLessThan(10_000);

    // (d) a restart on the same database: the same delivery again is acknowledged and not answered again;
    // a new event still is.
    const again = await spawnBot(production());
    expect((await deliver(again.base, helpIn(1))).status).toBe(200);
    expect((await deliver(again.base, helpIn(2))).status).toBe(200);
    await until("the second event's reply", () => repliesInGroup() === 2);
    const db = openDatabase(dbUrl);
    try {
      await until(
        "the inbox to drain",
        async () => (await db.inboxEvent.count({ where: { status: { not: "done" } } })) === 0,
      );
      expect(await db.inboxEvent.count()).toBe(2);
      expect(await db.outboxMessage.count({ where: { status: { not: "sent" } } })).toBe(0);
    } finally {
      await db.$disconnect();
    }
    expect(repliesInGroup()).toBe(2);
    again.child.kill("SIGINT");
    expect((await again.exited).code).toBe(0);
  }, 180_000); // two bot processes, each a cold start

  it("refuses an empty LARK_APP_ID= with exit 1 (never the sandbox)", async () => {
    const child = spawn(process.execPath, [path.join("dist", "src", "main.js")], {
      cwd: projectRoot,
      env: production({ LARK_APP_ID: "" }),
      stdio: ["ignore", "pipe", "pipe"],
    });
    let err = "";
    child.stderr.on("data", (c: Buffer) => (err += c.toString("utf8")));
    const code = await new Promise<number | null>((resolve) => child.once("exit", resolve));
    expect(code).toBe(1);
    expect(err).toMatch(/LARK_APP_ID/);
  });
});
