import { randomBytes } from "node:crypto";
import { encryptEvent, signatureOf } from "./crypto";

/**
 * Feishu's wire shapes in one place: the schema 2.0 event envelope, the two events the bot
 * subscribes to (im.message.receive_v1, card.action.trigger), url_verification, the card
 * callback's answer, and a webhook request as Feishu sends it (encrypted, signed over the raw
 * body). The receiver reads these shapes; the sandbox, the tests and the benchmarks build them.
 * See ../shared/reference/lark-platform.md §2–§3 and test/fixtures/lark/ for recorded examples.
 */

export const EVENT = { message: "im.message.receive_v1", card: "card.action.trigger" } as const;
export const URL_VERIFICATION = "url_verification";

/** Everything optional, all the way down: how an untrusted body is read. */
export type DeepPartial<T> = T extends (infer U)[]
  ? DeepPartial<U>[]
  : T extends object
    ? { [K in keyof T]?: DeepPartial<T[K]> }
    : T;

export interface EventHeader {
  event_id?: string;
  event_type?: string;
  /** Milliseconds for messages, microseconds for card callbacks. */
  create_time?: string;
  /** The verification token (a secret: not stored). */
  token?: string;
  app_id?: string;
  tenant_key?: string;
}

/** A schema 2.0 envelope as received (or a v1 url_verification body, whose fields are top-level). */
export interface Envelope {
  schema?: string;
  header?: EventHeader;
  event?: Record<string, unknown>;
  // legacy v1 bodies
  token?: string;
  type?: string;
  uuid?: string;
  challenge?: string;
}

export interface UrlVerification {
  challenge: string;
  token: string;
  type: typeof URL_VERIFICATION;
}

interface UserIds {
  union_id: string;
  user_id: string;
  open_id: string;
}

export interface Mention {
  key: string;
  id: UserIds;
  name: string;
  mentioned_type: "bot" | "user";
  tenant_key: string;
}

/** The `event` of im.message.receive_v1 (a type, not an interface: it fits Envelope["event"]). */
export type MessageEvent = {
  sender: { sender_id: UserIds; sender_type: string; tenant_key: string };
  message: {
    message_id: string;
    create_time: string;
    update_time: string;
    chat_id: string;
    chat_type: "group" | "p2p";
    message_type: string;
    /** JSON text: {"text": …} or {"file_key": …, "file_name": …}. */
    content: string;
    /** Absent when nobody is mentioned. */
    mentions?: Mention[];
  };
};

/** The `event` of card.action.trigger (JSON 2.0 cards). */
export type CardActionEvent = {
  operator: { tenant_key: string; user_id: string; open_id: string; union_id: string };
  /** The card-update token (not the verification token). */
  token: string;
  action: { value: Record<string, unknown>; tag: string; name?: string; form_value?: Record<string, unknown> };
  host: string;
  context: { open_message_id: string; open_chat_id: string };
};

export interface TypedEnvelope<E> {
  schema: "2.0";
  header: Required<Omit<EventHeader, "token">> & { token?: string };
  event: E;
}
export type MessageEnvelope = TypedEnvelope<MessageEvent>;
export type CardActionEnvelope = TypedEnvelope<CardActionEvent>;

/** The synchronous answer to a card callback: a toast and/or the card's new content (JSON 2.0, raw). */
export interface CardResponse {
  toast?: { type: "success" | "error" | "info" | "warning"; content: string; i18n?: Record<string, string> };
  card?: { type: "raw"; data: unknown };
}

/** The app an event is addressed to, as its header names it. */
export interface WireApp {
  appId: string;
  /** The verification token; omitted when the receiver checks none. */
  token?: string;
  tenantKey?: string;
}

/**
 * A person's private chat with the bot on the simulated platform (the fake Feishu and the sandbox).
 * Real p2p chat ids are opaque: the bot takes them from events, never derives them.
 */
export const p2pChatIdOf = (openId: string) => `oc_p2p_${openId.replace(/^ou_/, "")}`;

const userIds = (openId: string): UserIds => ({
  union_id: `on_${openId.replace(/^ou_/, "")}`,
  user_id: "",
  open_id: openId,
});

const header = (app: WireApp, eventId: string, eventType: string, createTime: string) => ({
  event_id: eventId,
  event_type: eventType,
  create_time: createTime,
  ...(app.token !== undefined ? { token: app.token } : {}),
  app_id: app.appId,
  tenant_key: app.tenantKey ?? "",
});

/** The mention of the bot that makes a group message a command ("@_user_1" in the text). */
export const botMention = (botOpenId: string, name = "双随机助手") => ({
  key: "@_user_1",
  openId: botOpenId,
  name,
  bot: true,
});

/** im.message.receive_v1 as Feishu pushes it: a text message, or a file when `file` is given. */
export function messageEnvelope(
  app: WireApp,
  m: {
    eventId: string;
    messageId: string;
    chatId: string;
    chatType: "group" | "p2p";
    sender: string;
    text?: string;
    file?: { fileKey: string; fileName: string };
    mentions?: { key: string; openId: string; name: string; bot?: boolean }[];
    createTimeMs: number;
  },
): MessageEnvelope {
  const tenant = app.tenantKey ?? "";
  const time = String(m.createTimeMs);
  return {
    schema: "2.0",
    header: header(app, m.eventId, EVENT.message, time),
    event: {
      sender: { sender_id: userIds(m.sender), sender_type: "user", tenant_key: tenant },
      message: {
        message_id: m.messageId,
        create_time: time,
        update_time: time,
        chat_id: m.chatId,
        chat_type: m.chatType,
        message_type: m.file ? "file" : "text",
        content: JSON.stringify(
          m.file ? { file_key: m.file.fileKey, file_name: m.file.fileName } : { text: m.text ?? "" },
        ),
        ...(m.mentions?.length
          ? {
              mentions: m.mentions.map((x) => ({
                key: x.key,
                id: userIds(x.openId),
                name: x.name,
                mentioned_type: x.bot ? ("bot" as const) : ("user" as const),
                tenant_key: tenant,
              })),
            }
          : {}),
      },
    },
  };
}

/** card.action.trigger as Feishu posts it when a button (inside a form or not) is clicked. */
export function cardActionEnvelope(
  app: WireApp,
  c: {
    eventId: string;
    operator: string;
    value: Record<string, unknown>;
    /** Only a button inside a form carries form_value. */
    formValue?: Record<string, unknown>;
    name?: string;
    messageId: string;
    chatId: string;
    updateToken?: string;
    createTimeMs: number;
  },
): CardActionEnvelope {
  const tenant = app.tenantKey ?? "";
  return {
    schema: "2.0",
    header: header(app, c.eventId, EVENT.card, String(c.createTimeMs * 1000)), // microseconds
    event: {
      operator: { tenant_key: tenant, ...userIds(c.operator) },
      token: c.updateToken ?? `c-${randomBytes(20).toString("hex")}`,
      action: {
        value: c.value,
        tag: "button",
        ...(c.name !== undefined ? { name: c.name } : {}),
        ...(c.formValue ? { form_value: c.formValue } : {}),
      },
      host: "im_message",
      context: { open_message_id: c.messageId, open_chat_id: c.chatId },
    },
  };
}

export const urlVerification = (token: string, challenge: string): UrlVerification => ({
  challenge,
  token,
  type: URL_VERIFICATION,
});

/**
 * The request Feishu sends for an event: with an encrypt key, the body is {"encrypt": …} and the
 * headers sign it (sha256 over timestamp + nonce + key + the raw body); without one, plain JSON.
 * A url_verification goes unsigned (`sign: false`), as Feishu sends it.
 */
export function webhookRequest(
  plain: unknown,
  o: { encryptKey?: string; timestampSec: number; nonce?: string; iv?: Buffer; sign?: boolean },
): { body: string; headers: Record<string, string> } {
  const headers: Record<string, string> = { "content-type": "application/json; charset=utf-8" };
  if (!o.encryptKey) return { body: JSON.stringify(plain), headers };
  const body = JSON.stringify({ encrypt: encryptEvent(JSON.stringify(plain), o.encryptKey, o.iv) });
  return { body, headers: o.sign === false ? headers : { ...headers, ...signedHeaders(body, o) } };
}

/** The three headers that sign a raw body (Feishu's x-lark-request-* and x-lark-signature). */
export function signedHeaders(
  rawBody: string,
  o: { encryptKey?: string; timestampSec: number; nonce?: string },
): Record<string, string> {
  const timestamp = String(o.timestampSec);
  const nonce = o.nonce ?? randomBytes(4).toString("hex");
  return {
    "x-lark-request-timestamp": timestamp,
    "x-lark-request-nonce": nonce,
    "x-lark-signature": signatureOf(timestamp, nonce, o.encryptKey ?? "", Buffer.from(rawBody, "utf8")),
  };
}

// ---- reading: what the handlers get, whichever receiver (webhook or long connection) got the event ----

/** The one message shape the bot works with. */
export interface IncomingMessage {
  eventId: string;
  messageId: string;
  chatId: string;
  chatType: "p2p" | "group";
  senderOpenId: string;
  senderIsUser: boolean;
  messageType: string;
  text: string; // text content, "" for other types
  mentionsBot: boolean;
  file?: { fileKey: string; fileName: string };
}

export function toIncomingMessage(envelope: Envelope, botOpenId: string | null): IncomingMessage | null {
  const e = envelope.event as DeepPartial<MessageEvent> | undefined;
  const m = e?.message;
  if (!m?.message_id || !m.chat_id) return null;
  let content: Record<string, unknown> = {};
  try {
    content = JSON.parse(m.content ?? "{}") as Record<string, unknown>;
  } catch {
    /* non-JSON content: treat as empty */
  }
  const mentions = m.mentions ?? [];
  return {
    eventId: envelope.header!.event_id!,
    messageId: m.message_id,
    chatId: m.chat_id,
    chatType: m.chat_type === "p2p" ? "p2p" : "group",
    senderOpenId: e?.sender?.sender_id?.open_id ?? "",
    senderIsUser: (e?.sender?.sender_type ?? "user") === "user",
    messageType: m.message_type ?? "",
    text: m.message_type === "text" && typeof content["text"] === "string" ? content["text"] : "",
    // Only a mention of THIS bot counts once its open_id is known (another bot's @ is not a command).
    mentionsBot: mentions.some((x) => (botOpenId !== null ? x.id?.open_id === botOpenId : x.mentioned_type === "bot")),
    file:
      m.message_type === "file" && typeof content["file_key"] === "string"
        ? { fileKey: content["file_key"], fileName: String(content["file_name"] ?? "") }
        : undefined,
  };
}

/** The one card-click shape the bot works with. */
export interface CardAction {
  operatorOpenId: string;
  value: Record<string, unknown>;
  formValue: Record<string, unknown>;
  messageId: string;
  chatId: string;
}

export function toCardAction(envelope: Envelope): CardAction | null {
  const e = envelope.event as DeepPartial<CardActionEvent> | undefined;
  if (!e?.operator?.open_id || !e.action) return null;
  let value: unknown = e.action.value;
  if (typeof value === "string") {
    try {
      value = JSON.parse(value);
    } catch {
      value = {};
    }
  }
  return {
    operatorOpenId: e.operator.open_id,
    value: value !== null && typeof value === "object" ? (value as Record<string, unknown>) : {},
    formValue: e.action.form_value ?? {},
    messageId: e.context?.open_message_id ?? "",
    chatId: e.context?.open_chat_id ?? "",
  };
}

const HEADER_FIELDS = ["event_id", "event_type", "create_time", "app_id", "tenant_key"] as const;

/**
 * The SDK hands long-connection events over flattened ({schema, ...header, ...event}); rebuild the
 * v2 envelope the rest of the pipeline reads. In a card callback `token` is the card-update token
 * (it overwrote the header's), so it goes back into the event; a message's `token` is dropped — the
 * long connection itself is authenticated, so there is no verification token to check.
 */
export function envelopeFromFlattened(data: Record<string, unknown>): Envelope {
  const header: Record<string, string> = {};
  const event: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(data)) {
    if ((HEADER_FIELDS as readonly string[]).includes(k)) header[k] = String(v);
    else if (k === "token") {
      if (data["event_type"] === EVENT.card) event[k] = v;
    } else if (k !== "schema") event[k] = v;
  }
  return { schema: String(data["schema"] ?? "2.0"), header, event };
}

/** A card callback's answer as Feishu reads it: the new card goes as {type: "raw", data}. */
export function cardResponse(answer: { toast?: CardResponse["toast"]; card?: unknown }): CardResponse {
  return {
    ...(answer.toast ? { toast: answer.toast } : {}),
    ...(answer.card ? { card: { type: "raw", data: answer.card } } : {}),
  };
}
