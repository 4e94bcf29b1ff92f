import type Router from "@koa/router";
import type { RouterMiddleware } from "@koa/router";
import type { IncomingMessage } from "node:http";
import type { Logger } from "../logger";
import type { Db } from "../store/db";
import { storeEvent } from "./inbox";
import type { IntakeSignal } from "./intakeSignal";
import { judgeRequest, type ReceiverConfig } from "./receiver";
import { EVENT, type CardResponse, type Envelope } from "./wire";

export interface WebhookDeps {
  db: Db;
  config: ReceiverConfig;
  now: () => Date;
  /** Told after a new event is stored (the inbox worker, possibly in another thread). */
  worker: { kick(): unknown };
  /** card.action.trigger: validated, applied and answered synchronously (toast and/or card). */
  onCard: (envelope: Envelope) => Promise<CardResponse>;
  logger: Logger;
  /** Counts requests in flight, so background processing can yield to them. */
  intake?: IntakeSignal;
}

const MAX_BODY = 1024 * 1024;

/** The one body of every 401 (interface.md §3). */
const UNAUTHORIZED = Object.freeze({ code: 401, msg: "unauthorized" });

async function readRaw(req: IncomingMessage): Promise<Buffer | null> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY) return null;
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

const header = (req: IncomingMessage, name: string) => {
  const v = req.headers[name];
  return Array.isArray(v) ? v[0] : v;
};

/** POST /lark/events and /lark/cards: the same handler, since either URL may be configured. */
export function registerWebhook(router: Router, deps: WebhookDeps): void {
  const handle: RouterMiddleware = async (ctx) => {
    deps.intake?.enter();
    ctx.res.once("close", () => deps.intake?.leave());
    const raw = await readRaw(ctx.req);
    if (!raw) {
      ctx.status = 413;
      ctx.body = { error: "body too large" };
      return;
    }
    const verdict = judgeRequest(
      raw,
      {
        timestamp: header(ctx.req, "x-lark-request-timestamp"),
        nonce: header(ctx.req, "x-lark-request-nonce"),
        signature: header(ctx.req, "x-lark-signature"),
      },
      deps.config,
      deps.now().getTime(),
    );
    if (verdict.kind === "reject") {
      deps.logger.warn(
        { path: ctx.path, status: verdict.status, reason: verdict.reason, ip: ctx.ip },
        "refused a Feishu request",
      );
      ctx.status = verdict.status;
      // Every 401 looks the same: the reason is logged, never told to the caller.
      ctx.body = verdict.status === 401 ? UNAUTHORIZED : { error: verdict.reason };
      return;
    }
    if (verdict.kind === "challenge") {
      ctx.body = { challenge: verdict.challenge };
      return;
    }
    const envelope = verdict.envelope;
    if (envelope.header!.event_type === EVENT.card) {
      ctx.body = await deps.onCard(envelope); // always an object: a 204 would show the user an error
      return;
    }
    const fresh = await storeEvent(deps.db, envelope, deps.now()); // durable before the 200
    ctx.body = {};
    if (fresh) ctx.res.once("finish", () => void deps.worker.kick());
  };
  router.post("/lark/events", handle);
  router.post("/lark/cards", handle);
}
