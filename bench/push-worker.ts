/**
 * A separate process that sends everything queued in the outbox, then exits — what the bot does
 * after a restart. Used by bench:push and by the kill -9 test.
 *   node dist/bench/push-worker.js <DATABASE_URL> <fake Feishu URL> <appId> <appSecret>
 */
import * as lark from "@larksuiteoapi/node-sdk";
import { sdkLogger } from "../src/lark/client";
import { OutboxSender } from "../src/lark/outbox";
import { createLogger } from "../src/logger";
import { openDatabase } from "../src/store/db";

async function main(): Promise<void> {
  const [url, domain, appId, appSecret] = process.argv.slice(2) as [string, string, string, string];
  const db = openDatabase(url);
  const client = new lark.Client({
    appId,
    appSecret,
    domain,
    loggerLevel: lark.LoggerLevel.error,
    logger: sdkLogger(),
  });
  const sender = new OutboxSender(db, client, createLogger("silent"));
  for (;;) {
    await sender.kick();
    const next = await db.outboxMessage.findFirst({ where: { status: "pending" }, orderBy: { nextAttemptAt: "asc" } });
    if (!next) break;
    await new Promise((r) => setTimeout(r, Math.max(10, next.nextAttemptAt.getTime() - Date.now())));
  }
  sender.stop();
  await db.$disconnect();
}

main().catch((e) => {
  console.error(e);
  process.exitCode = 1;
});
