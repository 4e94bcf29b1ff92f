import type { Server } from "node:http";
import { assertServerConfig, loadConfig } from "./config";
import { isAppError } from "./domain/errors";
import { createHttpApp } from "./http/app";
import { createLogger, type Logger } from "./logger";
import { createRuntime, type Runtime } from "./runtime";
import { clockFromConfig } from "./clock";
import { isLoopback, newAccessToken } from "./sandbox/access";
import type { FakeFeishu } from "./sandbox/fakeFeishu";
import { openDatabase, type Db } from "./store/db";
import type { SupervisorOptions } from "./lark/processing";

/** The sandbox's simulated app (fake credentials; nothing leaves the machine). */
const SANDBOX_APP = {
  appId: "cli_5a4db0c0de000000",
  appSecret: "sandbox-secret",
  groupChatId: "oc_5a4db0c0de0000000000000000000001",
};

/** Windows tests shorten (the defaults are the operator's: interface.md §3, §4). */
export interface StartOptions {
  /** How long start-up retries reading the bot's open_id before it fails (default 60 s). */
  botInfoWindowMs?: number;
  /** ws mode: how long the long connection may be down before /healthz answers 503 ws (default 60 s). */
  wsDownMs?: number;
  supervisor?: SupervisorOptions;
  /** The serving process's logger (tests read what it says); default: JSON lines on stdout. */
  logger?: Logger;
}

/** The sandbox's modules: loaded in sandbox mode only (production never needs them). */
async function sandboxModules() {
  const [data, banner, chat, demo, store, fake] = await Promise.all([
    import("./demo/data.js"),
    import("./sandbox/banner.js"),
    import("./sandbox/chatConsole.js"),
    import("./sandbox/demo.js"),
    import("./sandbox/sandboxStore.js"),
    import("./sandbox/fakeFeishu.js"),
  ]);
  return { ...data, ...banner, ...chat, ...demo, ...store, ...fake };
}

/** Bounded wait: a stop step that hangs must not keep the process from exiting. */
async function within(ms: number, p: Promise<unknown>): Promise<void> {
  let t: NodeJS.Timeout | undefined;
  await Promise.race([p.catch(() => {}), new Promise((r) => (t = setTimeout(r, ms)))]);
  clearTimeout(t);
}

export async function start(
  env: NodeJS.ProcessEnv = process.env,
  opts: StartOptions = {},
): Promise<{ server: Server; db: Db; stop: () => Promise<void>; runtime: Runtime; accessToken: string | null }> {
  const config = loadConfig(env);
  assertServerConfig(config);
  const logger = opts.logger ?? createLogger(config.LOG_LEVEL);
  const db = openDatabase(config.DATABASE_URL); // migrates first
  const clock = clockFromConfig(config);
  const sb = config.sandbox ? await sandboxModules() : null;
  if (sb && (await sb.loadDemoIfEmpty(db, clock.now()))) logger.info("sandbox: demo registers and plan loaded");

  // The sandbox runs the same pipeline against an embedded simulated Feishu Open Platform.
  let fake: FakeFeishu | null = null;
  let larkConfig = config;
  const store = sb ? new sb.SandboxStore(db) : null;
  // Random per start: the sandbox's webhook accepts only events signed with it (the console's own).
  const sandboxToken = newAccessToken();
  if (sb) {
    fake = new sb.FakeFeishu({ appId: SANDBOX_APP.appId, appSecret: SANDBOX_APP.appSecret });
    await store!.attach(fake); // the chat as it was before a restart
    clock.setOffsetDays(Number((await store!.getState(sb.OFFSET_KEY)) ?? 0)); // and the 模拟日期
    for (const [name, openId] of Object.entries(sb.DEMO_OPEN_IDS)) fake.addUser(openId, name);
    fake.addChat(SANDBOX_APP.groupChatId, `${sb.DEMO_UNITS[0]}抽查工作群`, Object.values(sb.DEMO_OPEN_IDS));
    const domain = await fake.listen();
    larkConfig = {
      ...config,
      LARK_APP_ID: SANDBOX_APP.appId,
      LARK_APP_SECRET: SANDBOX_APP.appSecret,
      LARK_VERIFICATION_TOKEN: sandboxToken,
      larkDomain: domain,
    };
  }
  // The thread reads the same resolved database (the sandbox's default differs from production's).
  const threadEnv = config.sandbox
    ? {
        ...env,
        LARK_APP_ID: SANDBOX_APP.appId,
        LARK_APP_SECRET: SANDBOX_APP.appSecret,
        LARK_VERIFICATION_TOKEN: sandboxToken,
        LARK_DOMAIN: larkConfig.larkDomain,
        DATABASE_URL: config.DATABASE_URL,
      }
    : { ...env, DATABASE_URL: config.DATABASE_URL };
  let runtime: Runtime;
  try {
    // The thread resumes stored events and unsent messages. Before anything is served it reads the bot's
    // open_id (in a group only a mention of this bot counts): it loads the SDK anyway, this thread never does.
    runtime = await createRuntime({
      db,
      config: larkConfig,
      logger,
      threadEnv,
      readBotInfo: { windowMs: opts.botInfoWindowMs },
      clock,
      supervisor: opts.supervisor,
      wsDownMs: opts.wsDownMs,
    });
    logger.info({ botOpenId: runtime.botOpenId }, "bot identity read from Feishu");
  } catch (e) {
    await fake?.close();
    await db.$disconnect();
    throw e;
  }

  let selfUrl = "";
  const accessToken = config.sandbox && !isLoopback(config.HOST) ? newAccessToken() : null;
  const sandboxChat =
    sb && fake && store
      ? sb.chatConsoleRouter({
          fake,
          db,
          store,
          clock,
          selfUrl: () => selfUrl,
          token: sandboxToken,
          appId: SANDBOX_APP.appId,
          groupChatId: SANDBOX_APP.groupChatId,
          settle: async () => {
            await runtime.idle();
            await store.flush();
          },
          accessToken,
          datePinned: Boolean(config.DRBOT_TODAY),
          logger,
          // The new bureau day's jobs run at once (once-only keys apply; skipped days are not caught up).
          onDateMoved: async () => {
            await runtime.runJobs("all");
          },
        })
      : undefined;
  const app = createHttpApp({
    db,
    logger,
    sandbox: config.sandbox,
    feishu: runtime.router,
    sandboxChat,
    health: () => runtime.health(),
  });
  const server = await new Promise<Server>((resolve) => {
    const s = app.listen(config.PORT, config.HOST, () => resolve(s));
  });
  // Longer than the usual proxy/load-balancer idle timeout (60 s): with Node's default 5 s, a client reusing an
  // idle connection just as the server closes it gets ECONNRESET. stop() still closes idle connections at once.
  server.keepAliveTimeout = 65_000;
  server.headersTimeout = 66_000;
  const address = server.address();
  const port = typeof address === "object" && address ? address.port : config.PORT;
  const wildcard = ["0.0.0.0", "::", ""].includes(config.HOST) || isLoopback(config.HOST);
  selfUrl = `http://${wildcard ? "127.0.0.1" : config.HOST.includes(":") ? `[${config.HOST}]` : config.HOST}:${port}`; // the console posts events to itself
  // One JSON line with the bound port (PORT=0 picks a free one; tests and supervisors read it).
  logger.info(
    { port, host: config.HOST, sandbox: config.sandbox, mode: config.LARK_MODE },
    config.sandbox ? `沙盒已启动：http://localhost:${port}/` : "double-random-bot started",
  );
  if (sb && config.LOG_LEVEL !== "silent")
    process.stderr.write(`${await sb.sandboxBanner(db, config.HOST, port, accessToken)}\n`);

  let stopping: Promise<void> | null = null;
  // Every step is bounded so the whole stop stays well inside 10 s, whatever hangs.
  const stop = () =>
    (stopping ??= (async () => {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeIdleConnections();
      await within(2000, closed);
      server.closeAllConnections(); // a request still open after 2 s is cut; Feishu re-delivers it
      await within(6000, runtime.stop());
      await within(500, store?.flush() ?? Promise.resolve());
      await within(500, fake?.close() ?? Promise.resolve());
      await within(500, db.$disconnect());
      logger.info("double-random-bot stopped");
    })());
  return { server, db, stop, runtime, accessToken };
}

/** `node dist/src/main.js` (npm start): runs until SIGTERM/SIGINT, then exits 0; a bad start exits 1. */
function runMain(): void {
  let stop: (() => Promise<void>) | null = null;
  let signalled = false;
  const onSignal = (signal: string) => {
    if (signalled) return;
    signalled = true;
    process.stderr.write(`收到 ${signal}，正在停止 / stopping\n`);
    setTimeout(() => {
      process.stderr.write("停止超时，强制退出 / stop timed out\n");
      process.exit(1);
    }, 9500).unref();
    if (stop) void stop().then(() => process.exit(0));
    else process.exit(0); // still starting: nothing was served yet
  };
  for (const signal of ["SIGINT", "SIGTERM"] as const) process.on(signal, () => onSignal(signal));
  start()
    .then((s) => {
      stop = s.stop;
    })
    .catch((e: unknown) => {
      process.stderr.write(`${isAppError(e) ? e.message : `启动失败 / failed to start: ${(e as Error).stack}`}\n`);
      process.exit(1);
    });
}

if (require.main === module) runMain();
