import type Router from "@koa/router";
import { createRequire } from "node:module";
import type * as lark from "@larksuiteoapi/node-sdk";
import { Bot } from "./bot/bot";
import { clockFromConfig, type BureauClock, type Clock } from "./clock";
import type { Config } from "./config";
import { register as registerAdmin } from "./features/admin/register";
import { register as registerDraw } from "./features/draw/register";
import { register as registerFollowUps } from "./features/followups/register";
import { register as registerImports } from "./features/imports/register";
import { register as registerReports } from "./features/reports/register";
import { register as registerJobs } from "./features/jobs/register";
import { runJobs, type JobReport, type JobWhich } from "./features/jobs/runner";
import { JobScheduler, schedulerSince } from "./features/jobs/scheduler";
import { register as registerTasks } from "./features/tasks/register";
import { ProcessingThread, type SupervisorOptions } from "./lark/processing";
import { healthOf, type Health } from "./lark/health";
import { InboxWorker, readyBacklog } from "./lark/inbox";
import { IntakeSignal } from "./lark/intakeSignal";
import { OutboxSender } from "./lark/outbox";
import { register as registerPublicity } from "./features/publicity/register";
import { cardResponse, type Envelope } from "./lark/wire";
import { registerWebhook } from "./lark/webhook";
import type { Logger } from "./logger";
import type { Db } from "./store/db";
import { compiledQueryCompiler } from "./store/queryCompiler";

interface Deps {
  db: Db;
  config: Config;
  logger: Logger;
  /** The one clock; defaults to the configuration's (TZ_BUREAU, DRBOT_TODAY). */
  clock?: Clock;
  /** This bot's open_id (read from Feishu at start-up): in a group only a mention of it counts. */
  botOpenId?: string | null;
}

/** The bot with every feature registered. */
export function createBot(deps: Deps & { client?: lark.Client }): Bot {
  const bot = new Bot({
    config: deps.config,
    clock: deps.clock ?? clockFromConfig(deps.config),
    logger: deps.logger,
    botOpenId: deps.botOpenId ?? null,
    client: deps.client,
  });
  for (const register of [
    registerReports,
    registerDraw,
    registerTasks,
    registerAdmin,
    registerFollowUps,
    registerJobs,
    registerPublicity,
    registerImports,
  ])
    register(bot);
  return bot;
}

/** Event processing and sending: what the processing thread runs. */
export function createProcessing(deps: Deps & { client: lark.Client; beforeEach?: () => Promise<void> }): {
  bot: Bot;
  worker: InboxWorker;
  outbox: OutboxSender;
} {
  const bot = createBot(deps);
  const adminOpenIds = async () => {
    const admins = (
      await deps.db.inspector.findMany({
        where: { roles: { contains: "管理员" }, openId: { not: null } },
        select: { openId: true },
      })
    ).map((a) => a.openId!);
    return [...new Set([...deps.config.BOT_ADMIN_OPEN_IDS, ...admins])];
  };
  // What features registered with the bot: sent-message hooks, file builders, reactions (jobs).
  const outbox = new OutboxSender(deps.db, deps.client, deps.logger, {
    onSent: (tx, key, messageId) => bot.sent(tx, key, messageId),
    adminOpenIds,
    beforeEach: deps.beforeEach,
    files: (source) => bot.file(deps.db, source),
  });
  const worker = new InboxWorker({
    db: deps.db,
    handle: (tx, e, prepared, log) => bot.onEvent(tx, e, prepared, log),
    logger: deps.logger,
    now: () => bot.deps.clock.now(),
    afterCommit: () => void outbox.kick(),
    beforeEach: deps.beforeEach,
    prepare: (e, log) => bot.prepare(deps.db, e, log),
    jobs: bot.jobRunner(deps.db),
    adminOpenIds,
  });
  return { bot, worker, outbox };
}

export interface Runtime {
  router: Router;
  /** This bot's open_id, as given or as the processing thread read it from Feishu at start-up. */
  botOpenId: string | null;
  /** What /healthz answers (interface.md §3). */
  health(): Promise<Health>;
  /** Resolves when no stored event is waiting and nothing is being sent right now. */
  idle(): Promise<void>;
  /** Runs §9 jobs as of the runtime clock's bureau date (once-only keys apply); the sandbox calls it when its date moves. */
  runJobs(which: JobWhich, opts?: { force?: boolean }): Promise<JobReport>;
  stop(): Promise<void>;
}

/**
 * The Feishu side in the serving process: the webhook routes and the synchronous card callbacks
 * here; processing and sending in the processing thread (its own core and database connection).
 * `threadEnv` is the environment the thread reads its configuration from.
 */
export async function createRuntime(
  deps: Deps & {
    threadEnv: NodeJS.ProcessEnv;
    supervisor?: SupervisorOptions;
    wsDownMs?: number;
    /** Have the processing thread read the bot's open_id from Feishu first (start-up fails if it can't). */
    readBotInfo?: { windowMs?: number };
  },
): Promise<Runtime> {
  const clock = deps.clock ?? clockFromConfig(deps.config);
  const bot = createBot({ ...deps, clock });
  const intake = new IntakeSignal();
  const offsetCell = (clock as Partial<BureauClock>).offsetCell ?? new Int32Array(new SharedArrayBuffer(4));
  const processing = new ProcessingThread(
    {
      env: deps.threadEnv,
      intake: intake.buffer,
      clockOffset: offsetCell.buffer as SharedArrayBuffer,
      botOpenId: deps.botOpenId ?? null,
      readBotInfo: deps.readBotInfo,
      queryCompiler: await compiledQueryCompiler(deps.db), // compiled once, run by both threads
    },
    { logger: deps.logger, ...deps.supervisor },
  );
  await processing.ready;

  const onCard = async (envelope: Envelope) => {
    const answer = await bot.onCard(deps.db, envelope);
    processing.events(); // reactions the click queued (e.g. a reveal's fan-out)
    processing.outbox(); // messages the click caused to other people
    return cardResponse(answer);
  };

  const now = () => bot.deps.clock.now();
  // The SDK (~36 MB) is loaded in this thread only for the long connection; the webhook doesn't need it.
  const ws =
    deps.config.LARK_MODE === "ws" && deps.config.LARK_APP_ID && deps.config.LARK_APP_SECRET
      ? (await import("./lark/wsReceiver.js")).startWsClient(
          {
            appId: deps.config.LARK_APP_ID,
            appSecret: deps.config.LARK_APP_SECRET,
            domain: deps.config.larkDomain,
            downAfterMs: deps.wsDownMs,
          },
          { db: deps.db, now, worker: { kick: () => processing.events() }, onCard, logger: deps.logger },
        )
      : null;

  // The webhook routes are served in both modes (a console may point either way); they verify every request.
  // Loaded here, in the serving thread only: the processing thread never needs the router (~10 MB).
  // (require, not import(): import() would load the package's ESM build beside the CJS one http/app.ts uses.)
  const routerModule = createRequire(__filename)("@koa/router") as typeof Router & { default?: typeof Router };
  const RouterClass = routerModule.default ?? routerModule;
  const router = new RouterClass();
  registerWebhook(router, {
    db: deps.db,
    config: {
      encryptKey: deps.config.LARK_ENCRYPT_KEY,
      verificationToken: deps.config.LARK_VERIFICATION_TOKEN,
      appId: deps.config.LARK_APP_ID,
    },
    now,
    worker: { kick: () => processing.events() },
    onCard,
    logger: deps.logger,
    intake,
  });

  const jobs = async (which: JobWhich, opts?: { force?: boolean }) => {
    const report = await runJobs(bot, deps.db, which, { clock: bot.deps.clock, force: opts?.force });
    if (report.outboxKeys.length > 0) processing.outbox();
    return report;
  };
  const scheduler = new JobScheduler({
    jobsAt: deps.config.JOBS_AT,
    timeZone: deps.config.TZ_BUREAU,
    clock: bot.deps.clock,
    run: () => jobs("all"),
    logger: deps.logger,
  });
  if ((await schedulerSince(deps.db, bot.deps.clock.today())) < bot.deps.clock.today()) void scheduler.catchUp();

  return {
    router,
    botOpenId: processing.botOpenId,
    health: () =>
      healthOf({
        db: deps.db,
        now,
        processingAlive: () => processing.healthy(),
        wsDown: ws ? () => ws.down() : undefined,
      }),
    runJobs: jobs,
    async idle() {
      // Until no event is ready to run, including one whose attempt failed on contention: kick again
      // rather than return early.
      for (;;) {
        await processing.idle();
        if ((await readyBacklog(deps.db, now())).backlog === 0) return;
        processing.events();
      }
    },
    async stop() {
      await scheduler.stop();
      ws?.close();
      await processing.stop();
    },
  };
}
