import type { Logger } from "../logger";
import type { Envelope } from "./wire";

/**
 * The fields that tie every log line of one event together, so a failure can be followed with one
 * grep for its event_id: the event, the chat it came from, the person (open_id) who sent or clicked
 * it. Read from a message (im.message.receive_v1) or a card callback; absent fields are left out.
 * Never the token or the content.
 */
function eventFields(envelope: Envelope): { event_id?: string; chat_id?: string; user?: string } {
  const e = envelope.event as
    | {
        message?: { chat_id?: string };
        sender?: { sender_id?: { open_id?: string } };
        operator?: { open_id?: string };
        context?: { open_chat_id?: string };
      }
    | undefined;
  const fields = {
    event_id: envelope.header?.event_id,
    chat_id: e?.message?.chat_id ?? e?.context?.open_chat_id,
    user: e?.sender?.sender_id?.open_id ?? e?.operator?.open_id,
  };
  return Object.fromEntries(Object.entries(fields).filter(([, v]) => typeof v === "string" && v !== ""));
}

/** A child logger whose every line carries the event's fields. */
export function eventLogger(logger: Logger, envelope: Envelope): Logger {
  return logger.child(eventFields(envelope));
}
