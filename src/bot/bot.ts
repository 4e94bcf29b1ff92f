import { notice, type Card } from "../../cards/kit";
import type * as lark from "@larksuiteoapi/node-sdk";
import type { Clock } from "../clock";
import type { Config } from "../config";
import { isAppError } from "../domain/errors";
import { importFromChat } from "../features/imports/chat";
import type { Role } from "../features/imports/kinds";
import { enqueueMessage } from "../lark/outbox";
import type { Envelope } from "../lark/receiver";
import type { Logger } from "../logger";
import type { Db, Prisma } from "../store/db";
import { ALIASES, parseCommand, type CommandName } from "./commands";
import { toCardAction, toIncomingMessage, type CardAction, type IncomingMessage } from "./message";
import { hasAnyRole, whoIs, type Person } from "./roles";

type Tx = Prisma.TransactionClient;

export interface BotDeps {
  config: Pick<Config, "BOT_ADMIN_OPEN_IDS" | "LARK_ANNOUNCE_CHAT_ID" | "LARK_LEGAL_CHAT_ID" | "TZ_BUREAU" | "PUBLICITY_WORKING_DAYS" | "BUREAU_NAME">;
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
  run(ctx: CommandContext): Promise<void>;
}

export interface CardContext {
  tx: Tx;
  now: Date;
  today: string;
  deps: BotDeps;
  operator: Person;
  action: CardAction;
}

/** What a card callback answers within 3 s: a toast and/or the card's new content. */
export interface CardAnswer {
  toast?: { type: "success" | "error" | "info" | "warning"; content: string };
  card?: Card;
}

export interface CardActionSpec {
  action: string;
  roles: Role[]; // empty = any registered staff member
  run(ctx: CardContext): Promise<CardAnswer>;
}

const roleList = (roles: Role[]) => roles.join("、");

export function toFeishuContent(content: Reply): { msgType: "text" | "interactive"; content: unknown } {
  return typeof content === "string" ? { msgType: "text", content: { text: content } } : { msgType: "interactive", content };
}

/**
 * The bot: commands and card actions registered by features, dispatched with the role checks that
 * every command and every card click gets (cards can be forwarded to anyone).
 */
export class Bot {
  readonly commands = new Map<CommandName, CommandSpec>();
  readonly cardActions = new Map<string, CardActionSpec>();

  constructor(readonly deps: BotDeps) {}

  command(spec: CommandSpec): void {
    this.commands.set(spec.name, spec);
  }

  cardAction(spec: CardActionSpec): void {
    this.cardActions.set(spec.action, spec);
  }

  /** Commands this person may use, for 帮助. */
  available(person: Person): CommandSpec[] {
    return [...this.commands.values()].filter((c) => c.roles.length === 0 || hasAnyRole(person, c.roles));
  }

  /** Before the event's transaction: a file sent to the bot is downloaded and imported here. */
  async prepare(db: Db, envelope: Envelope): Promise<Reply | undefined> {
    if (envelope.header?.event_type !== "im.message.receive_v1" || !this.deps.client) return undefined;
    const message = toIncomingMessage(envelope, this.deps.botOpenId);
    if (!message?.file || !message.senderIsUser) return undefined;
    return importFromChat(db, this.deps.client, message, this.deps.config.BOT_ADMIN_OPEN_IDS, this.deps.clock.now(), { announceChatId: this.deps.config.LARK_ANNOUNCE_CHAT_ID, bureauName: this.deps.config.BUREAU_NAME });
  }

  /** The inbox handler for im.message.receive_v1 (runs inside the worker's transaction). */
  async onEvent(tx: Tx, envelope: Envelope, prepared?: unknown): Promise<void> {
    if (envelope.header?.event_type !== "im.message.receive_v1") return; // other subscriptions: acknowledged, nothing to do
    const message = toIncomingMessage(envelope, this.deps.botOpenId);
    if (!message || !message.senderIsUser) return;
    if (message.chatType === "group" && !message.mentionsBot) return; // in a group, only what is said to the bot
    const now = this.deps.clock.now();
    const today = this.deps.clock.today();
    let replies = 0;
    const reply = async (content: Reply) => {
      const { msgType, content: body } = toFeishuContent(content);
      await enqueueMessage(tx, { key: `reply:${message.messageId}:${replies++}`, to: { chatId: message.chatId }, msgType, content: body }, now);
    };
    const sender = await whoIs(tx, message.senderOpenId, this.deps.config.BOT_ADMIN_OPEN_IDS);

    if (prepared !== undefined) {
      await reply(prepared as Reply);
      return;
    }
    if (message.messageType !== "text") {
      await reply(message.messageType === "file" ? "收到文件，但无法读取。请重新发送 .xlsx 或 UTF-8 .csv 文件。" : "我只看得懂文字命令。发送「帮助」查看可用命令。");
      return;
    }
    const parsed = parseCommand(message.text);
    const spec = parsed.name ? this.commands.get(parsed.name) : undefined;
    if (!spec) {
      await reply(`没有「${parsed.word}」这个命令。发送「帮助」查看可用命令。`);
      return;
    }
    if (spec.roles.length > 0 && !hasAnyRole(sender, spec.roles)) {
      await reply(`抱歉，「${ALIASES[spec.name][0]}」仅限${roleList(spec.roles)}使用。${sender.registered ? "" : "您尚未登记在执法检查人员名录库中。"}`);
      return;
    }
    try {
      await spec.run({ tx, now, today, deps: this.deps, sender, message, args: parsed.args, reply });
    } catch (e) {
      if (!isAppError(e)) throw e; // unexpected: the worker retries the event
      await reply(notice("未能完成", e.message, "red"));
    }
  }

  /**
   * card.action.trigger: validated, role-checked and applied in one transaction before the answer.
   * A click by someone not entitled changes nothing and gets a toast.
   */
  async onCard(db: Db, envelope: Envelope): Promise<CardAnswer> {
    const action = toCardAction(envelope);
    const spec = action ? this.cardActions.get(String(action.value["action"] ?? "")) : undefined;
    if (!action || !spec) return { toast: { type: "error", content: "这张卡片的按钮已失效" } };
    try {
      return await db.$transaction(
        async (tx) => {
          const operator = await whoIs(tx, action.operatorOpenId, this.deps.config.BOT_ADMIN_OPEN_IDS);
          if (!operator.registered) return { toast: { type: "error", content: "您不在执法检查人员名录库中，不能操作此卡片" } };
          if (spec.roles.length > 0 && !hasAnyRole(operator, spec.roles)) return { toast: { type: "error", content: `仅限${roleList(spec.roles)}操作` } };
          return spec.run({ tx, now: this.deps.clock.now(), today: this.deps.clock.today(), deps: this.deps, operator, action });
        },
        { timeout: 2500 }, // the answer must reach Feishu within 3 s
      );
    } catch (e) {
      if (isAppError(e)) return { toast: { type: "error", content: e.message } };
      this.deps.logger.error({ err: (e as Error).stack, action: spec.action }, "card action failed");
      return { toast: { type: "error", content: "系统繁忙，请稍后再试" } };
    }
  }
}
