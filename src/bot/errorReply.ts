import { ERROR_STATUS, isAppError, type ErrorCode } from "../domain/errors";
import { FeishuApiError } from "../lark/feishuError";

/** What anyone hears about a fault that is not theirs to fix (the details go to the log, never to chat). */
export const GENERIC_REPLY = "系统繁忙，请稍后再试";

/** How an error is answered, on every surface: a chat reply or toast, an HTTP response, the CLI. */
export interface ErrorOutcome {
  /** A coded refusal the person can act on (true), or a fault to log and maybe retry (false). */
  known: boolean;
  /** The AppError's code; "request" for a bad HTTP request; "feishu" / "internal" for faults. */
  code: ErrorCode | "request" | "feishu" | "internal";
  /** The HTTP status it answers with. */
  status: number;
  /** Chinese text safe to show: the AppError's own message, or GENERIC_REPLY. */
  reply: string;
}

/** The one map from an error to its status and Chinese reply. */
export function errorOutcome(e: unknown): ErrorOutcome {
  if (isAppError(e)) return { known: true, code: e.code, status: ERROR_STATUS[e.code], reply: e.message };
  if (e instanceof FeishuApiError) return { known: false, code: "feishu", status: 502, reply: GENERIC_REPLY };
  // koa's ctx.throw(4xx, "…"): a request the route refused, with a message meant for the caller.
  const http = e as { status?: unknown; expose?: unknown; message?: unknown } | null;
  if (typeof http?.status === "number" && http.status >= 400 && http.status < 500 && typeof http.message === "string")
    return { known: true, code: "request", status: http.status, reply: http.message };
  return { known: false, code: "internal", status: 500, reply: GENERIC_REPLY };
}
