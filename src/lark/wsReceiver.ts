import * as lark from "@larksuiteoapi/node-sdk";
import type { Logger } from "../logger";
import type { Db } from "../store/db";
import { sdkLogger } from "./client";
import { storeEvent } from "./inbox";
import { envelopeFromFlattened, EVENT, type CardResponse, type Envelope } from "./wire";

export interface WsDeps {
  db: Db;
  now: () => Date;
  worker: { kick(): unknown };
  onCard: (envelope: Envelope) => Promise<CardResponse>;
  logger: Logger;
}

/** The handlers both the live WSClient and the tests use: store-then-ack for events, answer cards synchronously. */
function wsHandlers(deps: WsDeps) {
  return {
    [EVENT.message]: async (data: Record<string, unknown>) => {
      const envelope = envelopeFromFlattened({ ...data, event_type: EVENT.message });
      if (await storeEvent(deps.db, envelope, deps.now())) setImmediate(() => void deps.worker.kick());
      return {}; // never throw: a 500 over the long connection makes Feishu re-push
    },
    [EVENT.card]: async (data: Record<string, unknown>) =>
      deps.onCard(envelopeFromFlattened({ ...data, event_type: EVENT.card })),
  };
}

/** The SDK dispatcher the long connection delivers to (the SDK flattens; our handlers rebuild). */
export function wsDispatcher(deps: WsDeps): lark.EventDispatcher {
  const handlers = wsHandlers(deps);
  // The SDK's typings don't know card.action.trigger; both handlers take the flattened object.
  const handles = {
    [EVENT.message]: async (d: unknown) => {
      try {
        return await handlers[EVENT.message](d as Record<string, unknown>);
      } catch (e) {
        deps.logger.error({ err: e }, "could not store a long-connection event");
        return {};
      }
    },
    [EVENT.card]: (d: unknown) => handlers[EVENT.card](d as Record<string, unknown>),
  };
  return new lark.EventDispatcher({ logger: sdkLogger(deps.logger) }).register(
    handles as unknown as Parameters<lark.EventDispatcher["register"]>[0],
  );
}

/** The SDK's own log lines about the long connection: failures at warn, the rest at debug (no secrets: messages only). */
function wsSdkLogger(logger: Logger) {
  const text = (msg: unknown[]) => msg.map((m) => (m instanceof Error ? m.message : String(m))).join(" ");
  const line =
    (level: "warn" | "info" | "debug") =>
    (...msg: unknown[]) =>
      logger[level]({ sdk: text(msg) }, "long connection");
  // info carries "[ws] reconnect" and "client ready"; the long console hint it also prints goes to debug.
  const info = (...msg: unknown[]) => (text(msg).includes("\n") ? line("debug") : line("info"))(...msg);
  return { error: line("warn"), warn: line("warn"), info, debug: line("debug"), trace: () => {} };
}

export interface WsConnection {
  /** Down (never connected, or lost) for longer than the window: /healthz answers 503 ws. */
  down(): boolean;
  connected(): boolean;
  close(): void;
}

/**
 * LARK_MODE=ws: one long connection per app (several would split the events between them). The
 * SDK retries on its own; we log every failure and reconnect, and restart it when it gives up.
 */
export function startWsClient(
  config: { appId: string; appSecret: string; domain: string; downAfterMs?: number; restartMs?: number },
  deps: WsDeps,
): WsConnection {
  const downAfterMs = config.downAfterMs ?? 60_000;
  let downSince: number | null = Date.now();
  let closed = false;
  let restart: NodeJS.Timeout | null = null;
  let warnedAt = 0;
  const up = (what: string) => {
    if (downSince !== null) deps.logger.info({ afterMs: Date.now() - downSince }, what);
    downSince = null;
    warnedAt = 0;
  };
  const lost = (what: string, err?: Error) => {
    downSince ??= Date.now();
    deps.logger.warn({ err: err?.message, downForMs: Date.now() - downSince }, what);
  };
  const ws = new lark.WSClient({
    appId: config.appId,
    appSecret: config.appSecret,
    domain: config.domain,
    loggerLevel: lark.LoggerLevel.info,
    logger: wsSdkLogger(deps.logger),
    onReady: () => up("long connection established"),
    onReconnected: () => up("long connection re-established"),
    onReconnecting: () => lost("long connection lost; reconnecting"),
    onError: (e: Error) => {
      lost("long connection gave up; starting it again", e);
      // The SDK stops after a non-retryable answer or exhausted retries; an operator expects it to keep trying.
      if (!closed && !restart)
        restart = setTimeout(() => {
          restart = null;
          if (!closed) void ws.start({ eventDispatcher: dispatcher });
        }, config.restartMs ?? 10_000);
    },
  });
  const dispatcher = wsDispatcher(deps);
  deps.logger.info({ domain: config.domain }, "long connection starting");
  void ws.start({ eventDispatcher: dispatcher });
  // A first attempt that fails is retried by the SDK without any hook: watch the status too, and say
  // once (then every 5 minutes) that the connection has been down past the window.
  const watch = setInterval(
    () => {
      if (ws.getConnectionStatus().state === "connected") return up("long connection established");
      if (downSince === null) return;
      const downFor = Date.now() - downSince;
      if (downFor > downAfterMs && Date.now() - warnedAt > 300_000) {
        warnedAt = Date.now();
        deps.logger.error(
          { state: ws.getConnectionStatus().state, downForMs: downFor },
          "long connection down; /healthz answers 503 ws",
        );
      }
    },
    Math.min(5000, Math.max(50, downAfterMs / 2)),
  );
  watch.unref();
  return {
    connected: () => ws.getConnectionStatus().state === "connected",
    down: () => {
      if (ws.getConnectionStatus().state === "connected") return false;
      downSince ??= Date.now();
      return Date.now() - downSince > downAfterMs;
    },
    close: () => {
      closed = true;
      clearInterval(watch);
      if (restart) clearTimeout(restart);
      ws.close({ force: true });
    },
  };
}
