import type { Io } from "./main";
import { clockFromConfig } from "../clock";
import type { Config } from "../config";
import { isValidDate } from "../domain/calendar";
import { AppError } from "../domain/errors";
import { createLarkClient } from "../lark/client";
import { OutboxSender } from "../lark/outbox";
import { createLogger } from "../logger";
import { createBot } from "../runtime";
import type { Db } from "../store/db";
import { adminOpenIds } from "../features/jobs/calendarNotice";
import { formatReport, JOB_NAMES, runJobs } from "../features/jobs/runner";

const JOBS_USAGE = "jobs run <digest|reminders|summary|all> [--at YYYY-MM-DD] [--force]";

/**
 * `drbot jobs run`: the scheduler's code as of `--at` (default today), sending through Feishu itself
 * and waiting until each message it queued is delivered or has failed (exit 1).
 */
export async function jobsCommand(
  db: Db,
  rest: string[],
  opts: Map<string, string | true>,
  io: Io,
  config: Config,
): Promise<number> {
  const [sub, which] = rest;
  if (sub !== "run" || !which || !([...JOB_NAMES, "all"] as string[]).includes(which))
    throw new AppError("USAGE", `用法：drbot ${JOBS_USAGE}`);
  const at = opts.get("at");
  if (at === true || (at !== undefined && !isValidDate(at)))
    throw new AppError("USAGE", `--at 应为 YYYY-MM-DD 日期${typeof at === "string" ? `，而不是「${at}」` : ""}`);
  if (config.sandbox)
    throw new AppError(
      "NO_LARK",
      "未配置飞书应用（LARK_APP_ID / LARK_APP_SECRET），无法发送提醒；请先设置 LARK_* 再运行 drbot jobs run。",
    );

  const logger = createLogger("silent");
  const base = clockFromConfig(config, io.now);
  const clock = at ? base.at(at) : base;
  const bot = createBot({ db, config, logger, clock });
  const report = await runJobs(bot, db, which, { clock, force: opts.has("force") });
  for (const line of formatReport(report)) io.out(line);
  if (report.outboxKeys.length === 0) return 0;

  const only = { idemKey: { in: report.outboxKeys } };
  const sender = new OutboxSender(db, createLarkClient(config, logger), logger, {
    only,
    adminOpenIds: () => adminOpenIds(db, config.BOT_ADMIN_OPEN_IDS),
  });
  try {
    for (;;) {
      await sender.kick();
      const next = await db.outboxMessage.findFirst({
        where: { ...only, status: "pending" },
        orderBy: { nextAttemptAt: "asc" },
      });
      if (!next) break;
      // A retry with back-off (rate limit, Feishu error): wait for it, as the bot's sender would.
      await new Promise((r) => setTimeout(r, Math.max(50, next.nextAttemptAt.getTime() - Date.now())));
    }
  } finally {
    sender.stop();
  }
  const failed = await db.outboxMessage.findMany({ where: { ...only, status: "failed" } });
  for (const f of failed) io.err(`发送失败：${f.receiveId}（${f.error ?? "未知错误"}）`);
  io.out(`已送达 ${report.outboxKeys.length - failed.length} 条${failed.length ? `，失败 ${failed.length} 条` : ""}`);
  return failed.length ? 1 : 0;
}
