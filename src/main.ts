import type { Server } from "node:http";
import { assertServerConfig, loadConfig } from "./config";
import { DEMO_IMPORT_ORDER, demoCsv } from "./demo/data";
import { isAppError } from "./domain/errors";
import { importFile } from "./features/imports/importer";
import { createHttpApp } from "./http/app";
import { createLogger } from "./logger";
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

export async function start(env: NodeJS.ProcessEnv = process.env): Promise<{ server: Server; db: Db; stop: () => Promise<void> }> {
  const config = loadConfig(env);
  assertServerConfig(config);
  const logger = createLogger(config.LOG_LEVEL);
  const db = openDatabase(config.DATABASE_URL); // migrates first
  if (config.sandbox && (await loadDemoIfEmpty(db))) logger.info("sandbox: demo registers and plan loaded");
  if (!config.sandbox) logger.warn({ mode: config.LARK_MODE }, "Feishu credentials found, but the Feishu event intake is not part of this build yet; serving /healthz and the console only");

  const app = createHttpApp({ db, logger, sandbox: config.sandbox });
  const server = await new Promise<Server>((resolve) => {
    const s = app.listen(config.PORT, config.HOST, () => resolve(s));
  });
  const address = server.address();
  const port = typeof address === "object" && address ? address.port : config.PORT;
  logger.info({ port, sandbox: config.sandbox }, config.sandbox ? `沙盒已启动：http://localhost:${port}/` : "double-random-bot started");

  const stop = async () => {
    await new Promise<void>((resolve) => server.close(() => resolve()));
    await db.$disconnect();
  };
  return { server, db, stop };
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
