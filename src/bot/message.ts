import type { Envelope } from "../lark/receiver";

/** The one message shape the bot works with, whichever receiver (webhook or long connection) got it. */
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

interface RawMessageEvent {
  sender?: { sender_id?: { open_id?: string }; sender_type?: string };
  message?: {
    message_id?: string;
    chat_id?: string;
    chat_type?: string;
    message_type?: string;
    content?: string;
    mentions?: { key?: string; id?: { open_id?: string }; mentioned_type?: string }[];
  };
}

export function toIncomingMessage(envelope: Envelope, botOpenId: string | null): IncomingMessage | null {
  const e = envelope.event as RawMessageEvent | undefined;
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

export interface CardAction {
  operatorOpenId: string;
  value: Record<string, unknown>;
  formValue: Record<string, unknown>;
  messageId: string;
  chatId: string;
}

interface RawCardEvent {
  operator?: { open_id?: string };
  action?: { value?: unknown; form_value?: Record<string, unknown> };
  context?: { open_message_id?: string; open_chat_id?: string };
}

export function toCardAction(envelope: Envelope): CardAction | null {
  const e = envelope.event as RawCardEvent | undefined;
  if (!e?.operator?.open_id || !e.action) return null;
  let value = e.action.value;
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
