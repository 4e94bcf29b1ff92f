import type { Server } from "node:http";
import { assertServerConfig, loadConfig } from "./config";
import { DEMO_IMPORT_ORDER, demoCsv } from "./demo/data";
import { isAppError } from "./domain/errors";
import { importFile } from "./features/imports/importer";
import { createHttpApp } from "./http/app";
import { createLogger } from "./logger";
import { createRuntime, type Runtime } from "./runtime";
import { DEMO_OPEN_IDS, DEMO_UNITS } from "./demo/data";
import { chatConsoleRouter } from "./sandbox/chatConsole";
import { FakeFeishu } from "./sandbox/fakeFeishu";
import { openDatabase, type Db } from "./store/db";

/** The sandbox starts with the demo bureau so there is something to look at and draw. */
async function loadDemoIfEmpty(db: Db): Promise<boolean> {
  if ((await db.item.count()) > 0 || (await db.target.count()) > 0) return false;
  const files = demoCsv();
  for (const kind of DEMO_IMPORT_ORDER) {
    await importFile(db, Buffer.from(files[kind], "utf8"), `demo-${kind}.csv`, { kind, actor: "sandbox", at: new Date(), directory: null });
  }
  return true;
}

/** The sandbox's simulated app (fake credentials; nothing leaves the machine). */
export const SANDBOX_APP = { appId: "cli_5a4db0c0de000000", appSecret: "sandbox-secret", token: "sandbox-verification-token", groupChatId: "oc_5a4db0c0de0000000000000000000001" };

export async function start(env: NodeJS.ProcessEnv = process.env): Promise<{ server: Server; db: Db; stop: () => Promise<void>; runtime: Runtime }> {
  const config = loadConfig(env);
  assertServerConfig(config);
  const logger = createLogger(config.LOG_LEVEL);
  const db = openDatabase(config.DATABASE_URL); // migrates first
  if (config.sandbox && (await loadDemoIfEmpty(db))) logger.info("sandbox: demo registers and plan loaded");

  // The sandbox runs the same pipeline against an embedded simulated Feishu Open Platform.
  let fake: FakeFeishu | null = null;
  let larkConfig = config;
  if (config.sandbox) {
    fake = new FakeFeishu({ appId: SANDBOX_APP.appId, appSecret: SANDBOX_APP.appSecret });
    for (const [name, openId] of Object.entries(DEMO_OPEN_IDS)) fake.addUser(openId, name);
    fake.addChat(SANDBOX_APP.groupChatId, `${DEMO_UNITS[0]}抽查工作群`, Object.values(DEMO_OPEN_IDS));
    const domain = await fake.listen();
    larkConfig = { ...config, LARK_APP_ID: SANDBOX_APP.appId, LARK_APP_SECRET: SANDBOX_APP.appSecret, LARK_VERIFICATION_TOKEN: SANDBOX_APP.token, larkDomain: domain };
  }
  const threadEnv = config.sandbox
    ? { ...env, LARK_APP_ID: SANDBOX_APP.appId, LARK_APP_SECRET: SANDBOX_APP.appSecret, LARK_VERIFICATION_TOKEN: SANDBOX_APP.token, LARK_DOMAIN: larkConfig.larkDomain }
    : env;
  const runtime = await createRuntime({ db, config: larkConfig, logger, threadEnv }); // the thread resumes stored events and unsent messages

  let selfUrl = "";
  const sandboxChat = fake
    ? chatConsoleRouter({ fake, db, selfUrl: () => selfUrl, token: SANDBOX_APP.token, appId: SANDBOX_APP.appId, groupChatId: SANDBOX_APP.groupChatId, settle: () => runtime.idle() })
    : undefined;
  const app = createHttpApp({ db, logger, sandbox: config.sandbox, feishu: runtime.router, sandboxChat });
  const server = await new Promise<Server>((resolve) => {
    const s = app.listen(config.PORT, config.HOST, () => resolve(s));
  });
  const address = server.address();
  const port = typeof address === "object" && address ? address.port : config.PORT;
  selfUrl = `http://127.0.0.1:${port}`;
  logger.info({ port, sandbox: config.sandbox }, config.sandbox ? `沙盒已启动：http://localhost:${port}/` : "double-random-bot started");

  const stop = async () => {
    await new Promise<void>((resolve) => server.close(() => resolve()));
    await runtime.stop();
    await fake?.close();
    await db.$disconnect();
  };
  return { server, db, stop, runtime };
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
