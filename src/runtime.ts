import Router from "@koa/router";
import type * as lark from "@larksuiteoapi/node-sdk";
import { Bot } from "./bot/bot";
import type { Config } from "./config";
import { register as registerAdmin } from "./features/admin/register";
import { onCommitCardSent, register as registerDraw } from "./features/draw/register";
import { register as registerInfo } from "./features/info/register";
import { onTaskCardSent, register as registerTasks } from "./features/tasks/register";
import { InboxWorker } from "./lark/inbox";
import { OutboxSender } from "./lark/outbox";
import type { Envelope } from "./lark/receiver";
import { registerWebhook } from "./lark/webhook";
import type { Logger } from "./logger";
import type { Db, Prisma } from "./store/db";

export interface Runtime {
  bot: Bot;
  worker: InboxWorker;
  outbox: OutboxSender;
  router: Router;
  /** Resolves when no event is being processed and nothing is being sent. */
  idle(): Promise<void>;
  stop(): void;
}

/** What the outbox does once a message is out, by the key the sender of the message chose. */
async function onSent(tx: Prisma.TransactionClient, key: string, messageId: string): Promise<void> {
  const [kind, id] = key.split(/:(.*)/s) as [string, string];
  if (kind === "draw.commitCard") await onCommitCardSent(tx, id, messageId);
  else if (kind === "assignment.card") await onTaskCardSent(tx, Number(id), messageId);
}

/** The Feishu side of the product: one pipeline for webhook (and, later, long-connection) events. */
export function createRuntime(deps: { db: Db; config: Config; logger: Logger; client: lark.Client; now?: () => Date; botOpenId?: string | null }): Runtime {
  const now = deps.now ?? (() => new Date());
  const bot = new Bot({ config: deps.config, now, logger: deps.logger, botOpenId: deps.botOpenId ?? null });
  for (const register of [registerInfo, registerDraw, registerTasks, registerAdmin]) register(bot);

  const adminOpenIds = async () => {
    const admins = (await deps.db.inspector.findMany({ where: { roles: { contains: "管理员" }, openId: { not: null } }, select: { openId: true } })).map((a) => a.openId!);
    return [...new Set([...deps.config.BOT_ADMIN_OPEN_IDS, ...admins])];
  };
  const outbox = new OutboxSender(deps.db, deps.client, deps.logger, { onSent, adminOpenIds });
  const worker = new InboxWorker(deps.db, (tx, e) => bot.onEvent(tx, e), deps.logger, now, () => void outbox.kick());

  const onCard = async (envelope: Envelope) => {
    const answer = await bot.onCard(deps.db, envelope);
    setImmediate(() => void outbox.kick()); // messages the click caused to other people
    return { ...(answer.toast ? { toast: answer.toast } : {}), ...(answer.card ? { card: { type: "raw", data: answer.card } } : {}) };
  };

  const router = new Router();
  registerWebhook(router, {
    db: deps.db,
    config: { encryptKey: deps.config.LARK_ENCRYPT_KEY, verificationToken: deps.config.LARK_VERIFICATION_TOKEN, appId: deps.config.LARK_APP_ID },
    now,
    worker,
    onCard,
    logger: deps.logger,
  });

  return {
    bot,
    worker,
    outbox,
    router,
    async idle() {
      do {
        await worker.idle();
        await outbox.idle();
      } while ((await deps.db.inboxEvent.count({ where: { status: "pending", attempts: 0 } })) > 0);
    },
    stop: () => outbox.stop(),
  };
}
