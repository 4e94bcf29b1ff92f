import type { Server } from "node:http";
import { assertServerConfig, loadConfig } from "./config";
import { isAppError } from "./domain/errors";
import { createHttpApp } from "./http/app";
import { createLogger } from "./logger";
import { createRuntime, type Runtime } from "./runtime";
import { DEMO_OPEN_IDS, DEMO_UNITS } from "./demo/data";
import { clockFromConfig } from "./clock";
import { isLoopback, newAccessToken } from "./sandbox/access";
import { sandboxBanner } from "./sandbox/banner";
import { chatConsoleRouter, OFFSET_KEY } from "./sandbox/chatConsole";
import { loadDemoIfEmpty } from "./sandbox/demo";
import { SandboxStore } from "./sandbox/sandboxStore";
import { FakeFeishu } from "./sandbox/fakeFeishu";
import { openDatabase, type Db } from "./store/db";

/** The sandbox's simulated app (fake credentials; nothing leaves the machine). */
export const SANDBOX_APP = { appId: "cli_5a4db0c0de000000", appSecret: "sandbox-secret", groupChatId: "oc_5a4db0c0de0000000000000000000001" };

export async function start(
  env: NodeJS.ProcessEnv = process.env,
): Promise<{ server: Server; db: Db; stop: () => Promise<void>; runtime: Runtime; accessToken: string | null }> {
  const config = loadConfig(env);
  assertServerConfig(config);
  const logger = createLogger(config.LOG_LEVEL);
  const db = openDatabase(config.DATABASE_URL); // migrates first
  const clock = clockFromConfig(config);
  if (config.sandbox && (await loadDemoIfEmpty(db, clock.now()))) logger.info("sandbox: demo registers and plan loaded");

  // The sandbox runs the same pipeline against an embedded simulated Feishu Open Platform.
  let fake: FakeFeishu | null = null;
  let larkConfig = config;
  const store = config.sandbox ? new SandboxStore(db) : null;
  // Random per start: the sandbox's webhook accepts only events signed with it (the console's own).
  const sandboxToken = newAccessToken();
  if (config.sandbox) {
    fake = new FakeFeishu({ appId: SANDBOX_APP.appId, appSecret: SANDBOX_APP.appSecret });
    await store!.attach(fake); // the chat as it was before a restart
    clock.setOffsetDays(Number((await store!.getState(OFFSET_KEY)) ?? 0)); // and the 模拟日期
    for (const [name, openId] of Object.entries(DEMO_OPEN_IDS)) fake.addUser(openId, name);
    fake.addChat(SANDBOX_APP.groupChatId, `${DEMO_UNITS[0]}抽查工作群`, Object.values(DEMO_OPEN_IDS));
    const domain = await fake.listen();
    larkConfig = { ...config, LARK_APP_ID: SANDBOX_APP.appId, LARK_APP_SECRET: SANDBOX_APP.appSecret, LARK_VERIFICATION_TOKEN: sandboxToken, larkDomain: domain };
  }
  const threadEnv = config.sandbox
    ? { ...env, LARK_APP_ID: SANDBOX_APP.appId, LARK_APP_SECRET: SANDBOX_APP.appSecret, LARK_VERIFICATION_TOKEN: sandboxToken, LARK_DOMAIN: larkConfig.larkDomain }
    : env;
  const runtime = await createRuntime({ db, config: larkConfig, logger, threadEnv, clock }); // the thread resumes stored events and unsent messages

  let selfUrl = "";
  const accessToken = config.sandbox && !isLoopback(config.HOST) ? newAccessToken() : null;
  const sandboxChat =
    fake && store
      ? chatConsoleRouter({
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
          // onDateMoved: wired to runtime.runJobs("all") once the daily jobs exist.
        })
      : undefined;
  const app = createHttpApp({ db, logger, sandbox: config.sandbox, feishu: runtime.router, sandboxChat });
  const server = await new Promise<Server>((resolve) => {
    const s = app.listen(config.PORT, config.HOST, () => resolve(s));
  });
  const address = server.address();
  const port = typeof address === "object" && address ? address.port : config.PORT;
  const wildcard = ["0.0.0.0", "::", ""].includes(config.HOST) || isLoopback(config.HOST);
  selfUrl = `http://${wildcard ? "127.0.0.1" : config.HOST.includes(":") ? `[${config.HOST}]` : config.HOST}:${port}`; // the console posts events to itself
  logger.info({ port, sandbox: config.sandbox }, config.sandbox ? `沙盒已启动：http://localhost:${port}/` : "double-random-bot started");
  if (config.sandbox && config.LOG_LEVEL !== "silent") process.stderr.write(`${await sandboxBanner(db, config.HOST, port, accessToken)}\n`);

  const stop = async () => {
    await new Promise<void>((resolve) => server.close(() => resolve()));
    await runtime.stop();
    await store?.flush().catch(() => undefined);
    await fake?.close();
    await db.$disconnect();
  };
  return { server, db, stop, runtime, accessToken };
}

if (require.main === module) {
  start()
    .then(({ stop }) => {
      for (const signal of ["SIGINT", "SIGTERM"] as const) process.once(signal, () => void stop().then(() => process.exit(0)));
    })
    .catch((e: unknown) => {
      process.stderr.write(`${isAppError(e) ? e.message : `启动失败 / failed to start: ${(e as Error).stack}`}\n`);
      process.exit(1);
    });
}
