import type { ActionName } from "../../cards/actions";
import { notice, type Card } from "../../cards/kit";
import type * as lark from "@larksuiteoapi/node-sdk";
import type { Clock } from "../clock";
import type { WorkCalendar } from "../domain/calendar";
import type { Config } from "../config";
import type { Role } from "../domain/roles";
import { eventLogger } from "../lark/eventLog";
import { enqueueJob, type JobRunner, type JobStep } from "../lark/inbox";
import { enqueueMessage, type FileSource } from "../lark/outbox";
import {
  EVENT,
  toCardAction,
  toIncomingMessage,
  type CardAction,
  type CardResponse,
  type Envelope,
  type IncomingMessage,
} from "../lark/wire";
import type { Logger } from "../logger";
import type { Db, Tx } from "../store/db";
import { writeTx } from "../store/tx";
import { cardReaders, type CardReaders } from "./cardReaders";
import { ALIASES, parseCommand, type CommandName } from "./commands";
import { errorOutcome } from "./errorReply";
import { hasAnyRole, whoIs, type Person } from "./roles";

export interface BotDeps {
  config: Pick<
    Config,
    | "BOT_ADMIN_OPEN_IDS"
    | "LARK_ANNOUNCE_CHAT_ID"
    | "LARK_LEGAL_CHAT_ID"
    | "TZ_BUREAU"
    | "PUBLICITY_WORKING_DAYS"
    | "BUREAU_NAME"
  > &
    Partial<Pick<Config, "IMPORT_MAX_BYTES" | "IMPORT_MAX_ROWS">>;
  clock: Clock;
  logger: Logger;
  botOpenId: string | null;
  /** The SDK client, where the bot downloads files (the processing side). */
  client?: lark.Client;
}

export type Reply = string | Card;

export interface CommandContext {
  tx: Tx;
  /** The real instant (audit times, queue times). */
  now: Date;
  /** The bureau date (YYYY-MM-DD) that every date rule reads: the one clock. */
  today: string;
  deps: BotDeps;
  /** The logger with this event's event_id, chat_id and user on every line. */
  log: Logger;
  sender: Person;
  message: IncomingMessage;
  args: string[];
  /** Queue a reply to the chat the command came from (sent after the transaction commits). */
  reply(content: Reply): Promise<void>;
}

export interface CommandSpec {
  name: CommandName;
  /** Who may use it; empty = anyone. */
  roles: Role[];
  usage: string;
  summary: string;
  /** A public act (抽取, 取消抽取): in a p2p chat it gets a hint to use the group. */
  groupOnly?: boolean;
  run(ctx: CommandContext): Promise<void>;
}

/** A card click: who clicked (checked against the roster), the bureau date, and readers for the click's ids and form. */
export interface CardContext extends CardReaders {
  tx: Tx;
  now: Date;
  today: string;
  deps: BotDeps;
  /** The logger with this callback's event_id, chat_id and user on every line. */
  log: Logger;
  operator: Person;
  action: CardAction;
}

/** What a card callback answers within 3 s: a toast and/or the card's new content. */
export interface CardAnswer {
  toast?: CardResponse["toast"];
  card?: Card;
}

export interface CardActionSpec {
  /** One of cards/actions.ts ACTION: the buttons that send it are built from the same name. */
  action: ActionName;
  roles: Role[]; // empty = any registered staff member
  run(ctx: CardContext): Promise<CardAnswer>;
}

/** A reaction to something that was committed (e.g. "draw.revealed"), run by the processing thread. */
export interface ReactionContext {
  /** Read here, outside the writer; write only in the returned step's `apply`. */
  db: Db;
  payload: Record<string, unknown>;
  /** Where the previous chunk stopped (null on the first). */
  cursor: string | null;
  now: Date;
  today: string;
  deps: BotDeps;
  /** The logger with this job's event_id on every line. */
  log: Logger;
}
export type ReactionHandler = (ctx: ReactionContext) => Promise<JobStep>;
export type SentHandler = (tx: Tx, id: string, messageId: string) => Promise<void>;
export type FileBuilder = (db: Db, id: string) => ReturnType<FileSource>;

/** A scheduled job's view of the world (interface.md §9): the bureau date it runs as, read-only data. */
export interface JobContext {
  db: Db;
  now: Date;
  today: string;
  deps: BotDeps;
  calendar: WorkCalendar;
  /** `drbot jobs run --force`: run even where the job's own day rule says no (e.g. summary off Monday). */
  force: boolean;
  /** Something the operator should know about this run (e.g. no 法制办 group bound). */
  note(text: string): void;
}

/** One message a job wants sent; the runner sends it once per (job, recipient, bureau date). */
export interface JobSend {
  to: { chatId: string } | { openId: string };
  /** Who it is for, for the operator's report (a name, 「法制办群」…). */
  label: string;
  content: Reply;
  /** A once-only key other than (this job, today), e.g. the yearly calendar notice. */
  once?: { job: string; day: string };
}

export interface JobSpec {
  name: string;
  run(ctx: JobContext): Promise<JobSend[]>;
}

/**
 * A file sent to the bot (an .xlsx/.csv in p2p): `prepare` runs before the event's transaction (it may
 * download and import in a transaction of its own, so it must be idempotent) and returns the reply;
 * `after` runs inside the event's transaction once the reply is queued.
 */
export interface FileHandler {
  prepare(db: Db, message: IncomingMessage, deps: BotDeps & { client: lark.Client }): Promise<Reply>;
  after?(tx: Tx, now: Date, deps: BotDeps): Promise<void>;
}

const roleList = (roles: Role[]) => roles.join("、");

export function toFeishuContent(content: Reply): { msgType: "text" | "interactive"; content: unknown } {
  return typeof content === "string"
    ? { msgType: "text", content: { text: content } }
    : { msgType: "interactive", content };
}

/**
 * The bot: commands and card actions registered by features, dispatched with the role checks that
 * every command and every card click gets (cards can be forwarded to anyone).
 */
export class Bot {
  readonly commands = new Map<CommandName, CommandSpec>();
  readonly cardActions = new Map<ActionName, CardActionSpec>();
  /** Daily jobs registered by features, run by the scheduler, the runtime and `drbot jobs run`. */
  readonly jobs = new Map<string, JobSpec>();

  private readonly reactions = new Map<string, ReactionHandler>();
  private readonly sentHooks = new Map<string, SentHandler>();
  private readonly fileBuilders = new Map<string, FileBuilder>();

  private fileHandler: FileHandler | null = null;

  constructor(readonly deps: BotDeps) {}

  /** Who handles files sent to the bot (one feature: the imports). */
  onFile(handler: FileHandler): void {
    this.fileHandler = handler;
  }

  /**
   * Registers the reaction to an internal event. It runs in the processing thread after the commit
   * that emitted it, in chunks (each step one short transaction), resumed after a crash.
   */
  on(type: string, handler: ReactionHandler): void {
    this.reactions.set(type, handler);
  }

  /** Queues `type` inside the caller's transaction, once per key (a double click emits once). */
  emit(tx: Tx, type: string, key: string, payload: Record<string, unknown>, now: Date): Promise<void> {
    return enqueueJob(tx, type, key, payload, now);
  }

  /** The inbox worker's view of the registered reactions. */
  jobRunner(db: Db): (type: string) => JobRunner | undefined {
    return (type) => {
      const handler = this.reactions.get(type);
      if (!handler) return undefined;
      return ({ payload, cursor, log }) =>
        handler({
          db,
          payload: (payload ?? {}) as Record<string, unknown>,
          cursor,
          now: this.deps.clock.now(),
          today: this.deps.clock.today(),
          deps: this.deps,
          log,
        });
    };
  }

  /** What to record once an outbox message queued with `onSent: "<kind>:<id>"` is out. */
  onSent(kind: string, handler: SentHandler): void {
    this.sentHooks.set(kind, handler);
  }

  /** Builds the bytes of a queued file message with `source: "<kind>:<id>"` at send time. */
  fileSource(kind: string, builder: FileBuilder): void {
    this.fileBuilders.set(kind, builder);
  }

  async sent(tx: Tx, onSent: string, messageId: string): Promise<void> {
    const [kind, id] = onSent.split(/:(.*)/s) as [string, string];
    await this.sentHooks.get(kind)?.(tx, id, messageId);
  }

  async file(db: Db, source: string): ReturnType<FileSource> {
    const [kind, id] = source.split(/:(.*)/s) as [string, string];
    const builder = this.fileBuilders.get(kind);
    if (!builder) throw new Error(`unknown file source ${source}`);
    return builder(db, id);
  }

  command(spec: CommandSpec): void {
    this.commands.set(spec.name, spec);
  }

  cardAction(spec: CardActionSpec): void {
    this.cardActions.set(spec.action, spec);
  }

  job(spec: JobSpec): void {
    this.jobs.set(spec.name, spec);
  }

  /** Commands this person may use, for 帮助. */
  available(person: Person): CommandSpec[] {
    return [...this.commands.values()].filter((c) => c.roles.length === 0 || hasAnyRole(person, c.roles));
  }

  /** Before the event's transaction: a file sent to the bot is downloaded and imported here. */
  async prepare(db: Db, envelope: Envelope, log?: Logger): Promise<Reply | undefined> {
    const client = this.deps.client;
    if (envelope.header?.event_type !== EVENT.message || !client || !this.fileHandler) return undefined;
    const message = toIncomingMessage(envelope, this.deps.botOpenId);
    if (!message?.file || !message.senderIsUser) return undefined;
    // The file handler's lines carry the event's fields too (its deps.logger is the event's child).
    const logger = log ?? eventLogger(this.deps.logger, envelope);
    return this.fileHandler.prepare(db, message, { ...this.deps, logger, client });
  }

  /** The inbox handler for im.message.receive_v1 (runs inside the worker's transaction). */
  async onEvent(
    tx: Tx,
    envelope: Envelope,
    prepared?: unknown,
    log: Logger = eventLogger(this.deps.logger, envelope),
  ): Promise<void> {
    if (envelope.header?.event_type !== EVENT.message) return; // other subscriptions: acknowledged, nothing to do
    const message = toIncomingMessage(envelope, this.deps.botOpenId);
    if (!message || !message.senderIsUser) return;
    if (message.chatType === "group" && !message.mentionsBot) return; // in a group, only what is said to the bot
    const now = this.deps.clock.now();
    const today = this.deps.clock.today();
    let replies = 0;
    const reply = async (content: Reply) => {
      const { msgType, content: body } = toFeishuContent(content);
      await enqueueMessage(
        tx,
        { key: `reply:${message.messageId}:${replies++}`, to: { chatId: message.chatId }, msgType, content: body },
        now,
      );
    };
    const sender = await whoIs(tx, message.senderOpenId, this.deps.config.BOT_ADMIN_OPEN_IDS);

    if (prepared !== undefined) {
      await reply(prepared as Reply);
      await this.fileHandler?.after?.(tx, now, this.deps);
      return;
    }
    if (message.messageType !== "text") {
      await reply(
        message.messageType === "file"
          ? "收到文件，但无法读取。请重新发送 .xlsx 或 UTF-8 .csv 文件。"
          : "我只看得懂文字命令。发送「帮助」查看可用命令。",
      );
      return;
    }
    const parsed = parseCommand(message.text);
    const spec = parsed.name ? this.commands.get(parsed.name) : undefined;
    if (!spec) {
      await reply(`没有「${parsed.word}」这个命令。发送「帮助」查看可用命令。`);
      return;
    }
    if (spec.roles.length > 0 && !hasAnyRole(sender, spec.roles)) {
      await reply(
        `抱歉，「${ALIASES[spec.name][0]}」仅限${roleList(spec.roles)}使用。${sender.departed ? "您在名录库中的状态为离岗。" : sender.registered ? "" : "您尚未登记在执法检查人员名录库中。"}`,
      );
      return;
    }
    // After the role check: someone who may not draw anyway learns that first.
    if (spec.groupOnly && message.chatType === "p2p") {
      await reply(
        `「${ALIASES[spec.name][0]}」是公开行为，请在工作群中 @我 发起（例如「@双随机助手 ${spec.usage}」）。`,
      );
      return;
    }
    try {
      await spec.run({ tx, now, today, deps: this.deps, log, sender, message, args: parsed.args, reply });
    } catch (e) {
      const outcome = errorOutcome(e);
      if (!outcome.known) throw e; // unexpected: the worker logs it and retries the event
      log.info({ code: outcome.code, command: spec.name }, "command refused");
      await reply(notice("未能完成", outcome.reply, "red"));
    }
  }

  /**
   * card.action.trigger: validated, role-checked and applied in one transaction before the answer.
   * A click by someone not entitled changes nothing and gets a toast.
   */
  async onCard(db: Db, envelope: Envelope): Promise<CardAnswer> {
    const action = toCardAction(envelope);
    const spec = action ? this.cardActions.get(String(action.value["action"] ?? "") as ActionName) : undefined;
    const log = eventLogger(this.deps.logger, envelope);
    if (!action || !spec) return { toast: { type: "error", content: "这张卡片的按钮已失效" } };
    try {
      // Retried as a whole while another writer holds the lock, within Feishu's 3 s.
      return await writeTx(
        db,
        async (tx) => {
          const operator = await whoIs(tx, action.operatorOpenId, this.deps.config.BOT_ADMIN_OPEN_IDS);
          if (!operator.registered)
            return {
              toast: {
                type: "error",
                content: operator.departed
                  ? "您在名录库中的状态为离岗，不能操作此卡片"
                  : "您不在执法检查人员名录库中，不能操作此卡片",
              },
            };
          if (spec.roles.length > 0 && !hasAnyRole(operator, spec.roles))
            return { toast: { type: "error", content: `仅限${roleList(spec.roles)}操作` } };
          return spec.run({
            tx,
            now: this.deps.clock.now(),
            today: this.deps.clock.today(),
            deps: this.deps,
            log,
            operator,
            action,
            ...cardReaders(action),
          });
        },
        { timeout: 2500, maxWait: 2000, budgetMs: 2500 }, // the answer must reach Feishu within 3 s
      );
    } catch (e) {
      const outcome = errorOutcome(e);
      if (outcome.known) log.info({ code: outcome.code, action: spec.action }, "card action refused");
      else log.error({ err: e, action: spec.action }, "card action failed");
      return { toast: { type: "error", content: outcome.reply } };
    }
  }
}
