import Router from "@koa/router";
import type * as lark from "@larksuiteoapi/node-sdk";
import { Bot } from "./bot/bot";
import { clockFromConfig, type Clock } from "./clock";
import type { Config } from "./config";
import { register as registerAdmin } from "./features/admin/register";
import { onCommitCardSent, register as registerDraw } from "./features/draw/register";
import { register as registerInfo } from "./features/info/register";
import { onTaskCardSent, register as registerTasks } from "./features/tasks/register";
import { BackgroundThread } from "./lark/background";
import { InboxWorker } from "./lark/inbox";
import { IntakeSignal } from "./lark/intakeSignal";
import { OutboxSender, type FileSource } from "./lark/outbox";
import { publishedRecord } from "./features/draw/service";
import { drawWorkbook } from "./features/exports/workbook";
import { publicityFile, register as registerPublicity } from "./features/publicity/register";
import type { Envelope } from "./lark/receiver";
import { registerWebhook } from "./lark/webhook";
import { startWsClient } from "./lark/wsReceiver";
import type { Logger } from "./logger";
import type { Db, Prisma } from "./store/db";

/** What the outbox does once a message is out, by the key the sender of the message chose. */
async function onSent(tx: Prisma.TransactionClient, key: string, messageId: string): Promise<void> {
  const [kind, id] = key.split(/:(.*)/s) as [string, string];
  if (kind === "draw.commitCard") await onCommitCardSent(tx, id, messageId);
  else if (kind === "assignment.card") await onTaskCardSent(tx, Number(id), messageId);
}

interface Deps {
  db: Db;
  config: Config;
  logger: Logger;
  /** The one clock; defaults to the configuration's (TZ_BUREAU, DRBOT_TODAY). */
  clock?: Clock;
}

/** The bot with every feature registered. */
export function createBot(deps: Deps & { client?: lark.Client }): Bot {
  const bot = new Bot({ config: deps.config, clock: deps.clock ?? clockFromConfig(deps.config), logger: deps.logger, botOpenId: null, client: deps.client });
  for (const register of [registerInfo, registerDraw, registerTasks, registerAdmin, registerPublicity]) register(bot);
  return bot;
}

/** Event processing and sending: what the background thread runs. */
export function createProcessing(deps: Deps & { client: lark.Client; beforeEach?: () => Promise<void> }): { bot: Bot; worker: InboxWorker; outbox: OutboxSender } {
  const bot = createBot(deps);
  const adminOpenIds = async () => {
    const admins = (await deps.db.inspector.findMany({ where: { roles: { contains: "管理员" }, openId: { not: null } }, select: { openId: true } })).map((a) => a.openId!);
    return [...new Set([...deps.config.BOT_ADMIN_OPEN_IDS, ...admins])];
  };
  const files: FileSource = async (source) => {
    const [kind, drawId] = source.split(/:(.*)/s) as [string, string];
    if (kind === "publicity.xlsx") return { bytes: await publicityFile(deps.db, Number(drawId), bot.deps.clock.today(), deps.config.BUREAU_NAME), fileType: "xls" };
    const record = publishedRecord(await deps.db.draw.findUniqueOrThrow({ where: { id: drawId } }));
    if (kind === "draw.json") return { bytes: Buffer.from(JSON.stringify(record, null, 2) + "\n"), fileType: "stream" };
    if (kind === "draw.xlsx") return { bytes: await drawWorkbook(deps.db, record, deps.config.TZ_BUREAU), fileType: "xls" };
    throw new Error(`unknown file source ${source}`);
  };
  const outbox = new OutboxSender(deps.db, deps.client, deps.logger, { onSent, adminOpenIds, beforeEach: deps.beforeEach, files });
  const worker = new InboxWorker(
    deps.db,
    (tx, e, prepared) => bot.onEvent(tx, e, prepared),
    deps.logger,
    () => bot.deps.clock.now(),
    () => void outbox.kick(),
    deps.beforeEach,
    (e) => bot.prepare(deps.db, e),
  );
  return { bot, worker, outbox };
}

export interface Runtime {
  router: Router;
  /** Resolves when no stored event is waiting and nothing is being sent right now. */
  idle(): Promise<void>;
  stop(): Promise<void>;
}

/**
 * The Feishu side in the serving process: the webhook routes and the synchronous card callbacks
 * here; processing and sending in a background thread (its own core and database connection).
 * `threadEnv` is the environment the thread reads its configuration from.
 */
export async function createRuntime(deps: Deps & { threadEnv: NodeJS.ProcessEnv }): Promise<Runtime> {
  const bot = createBot(deps);
  const intake = new IntakeSignal();
  const background = new BackgroundThread(deps.threadEnv, intake.buffer);
  await background.ready;

  const onCard = async (envelope: Envelope) => {
    const answer = await bot.onCard(deps.db, envelope);
    background.outbox(); // messages the click caused to other people
    return { ...(answer.toast ? { toast: answer.toast } : {}), ...(answer.card ? { card: { type: "raw", data: answer.card } } : {}) };
  };

  const now = () => bot.deps.clock.now();
  const ws =
    deps.config.LARK_MODE === "ws" && deps.config.LARK_APP_ID && deps.config.LARK_APP_SECRET
      ? startWsClient({ appId: deps.config.LARK_APP_ID, appSecret: deps.config.LARK_APP_SECRET, domain: deps.config.larkDomain }, { db: deps.db, now, worker: { kick: () => background.events() }, onCard, logger: deps.logger })
      : null;

  // The webhook routes are served in both modes (a console may point either way); they verify every request.
  const router = new Router();
  registerWebhook(router, {
    db: deps.db,
    config: { encryptKey: deps.config.LARK_ENCRYPT_KEY, verificationToken: deps.config.LARK_VERIFICATION_TOKEN, appId: deps.config.LARK_APP_ID },
    now,
    worker: { kick: () => background.events() },
    onCard,
    logger: deps.logger,
    intake,
  });

  return {
    router,
    async idle() {
      do await background.idle();
      while ((await deps.db.inboxEvent.count({ where: { status: "pending", attempts: 0 } })) > 0);
    },
    async stop() {
      ws?.close({ force: true });
      await background.stop();
    },
  };
}
