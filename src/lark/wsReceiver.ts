import * as lark from "@larksuiteoapi/node-sdk";
import type { Logger } from "../logger";
import type { Db } from "../store/db";
import { sdkLogger } from "./client";
import { storeEvent } from "./inbox";
import type { Envelope } from "./receiver";

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
      if (data["event_type"] === "card.action.trigger") event[k] = v;
    } else if (k !== "schema") event[k] = v;
  }
  return { schema: String(data["schema"] ?? "2.0"), header, event };
}

export interface WsDeps {
  db: Db;
  now: () => Date;
  worker: { kick(): unknown };
  onCard: (envelope: Envelope) => Promise<Record<string, unknown>>;
  logger: Logger;
}

/** The handlers both the live WSClient and the tests use: store-then-ack for events, answer cards synchronously. */
export function wsHandlers(deps: WsDeps) {
  return {
    "im.message.receive_v1": async (data: Record<string, unknown>) => {
      const envelope = envelopeFromFlattened({ ...data, event_type: "im.message.receive_v1" });
      if (await storeEvent(deps.db, envelope, deps.now())) setImmediate(() => void deps.worker.kick());
      return {}; // never throw: a 500 over the long connection makes Feishu re-push
    },
    "card.action.trigger": async (data: Record<string, unknown>) => deps.onCard(envelopeFromFlattened({ ...data, event_type: "card.action.trigger" })),
  };
}

/** The SDK dispatcher the long connection delivers to (the SDK flattens; our handlers rebuild). */
export function wsDispatcher(deps: WsDeps): lark.EventDispatcher {
  const handlers = wsHandlers(deps);
  // The SDK's typings don't know card.action.trigger; both handlers take the flattened object.
  const handles = {
    "im.message.receive_v1": async (d: unknown) => {
      try {
        return await handlers["im.message.receive_v1"](d as Record<string, unknown>);
      } catch (e) {
        deps.logger.error({ err: (e as Error).message }, "could not store a long-connection event");
        return {};
      }
    },
    "card.action.trigger": (d: unknown) => handlers["card.action.trigger"](d as Record<string, unknown>),
  };
  return new lark.EventDispatcher({ logger: sdkLogger(deps.logger) }).register(handles as unknown as Parameters<lark.EventDispatcher["register"]>[0]);
}

/** LARK_MODE=ws: one long connection per app (several would split the events between them). */
export function startWsClient(config: { appId: string; appSecret: string; domain: string }, deps: WsDeps): lark.WSClient {
  const ws = new lark.WSClient({ appId: config.appId, appSecret: config.appSecret, domain: config.domain, loggerLevel: lark.LoggerLevel.error, logger: sdkLogger(deps.logger) });
  void ws.start({ eventDispatcher: wsDispatcher(deps) });
  return ws;
}
