import { FeishuApiError } from "./feishuError";

/** Errors that will not get better by retrying: fail the message, audit it, tell the admins once. */
const PERMANENT_CODES: ReadonlySet<number> = new Set([
  230001, 230002, 230006, 230013, 230025, 230027, 230028, 230031, 230053, 230099, 232009, 99991672, 99991403,
]);
/** Card past Feishu's 14-day window: it can't change any more. */
const CARD_TOO_OLD = 230031;
/** The data-leak review refused the content (a phone number). */
const SENSITIVE_REFUSED = 230028;
/** Invalid card content — unless its msg says the card is locked by another update in flight. */
const CARD_INVALID = 230099;
export const MAX_ATTEMPTS = 8;

/**
 * What the outbox does with a failed send:
 * - `skip`: a card update Feishu can no longer apply (230031); nothing to report;
 * - `strip`: resend at once without the sensitive parts (230028), if there are any;
 * - `retry`: later, after `backoffMs` (Feishu's reset header, else exponential from 1 s, capped at 5 min);
 * - `fail`: permanent (or out of attempts): failed, audited, admins told.
 */
export type SendVerdict =
  { kind: "skip" } | { kind: "strip" } | { kind: "retry"; backoffMs: number } | { kind: "fail" };

export interface SendFailure {
  /** Feishu's code, if Feishu answered. */
  code?: number;
  /** `code: msg`, as stored on the row and told to admins. */
  label: string;
  verdict: SendVerdict;
}

/** 230099 whose message says the card is locked (another update in flight) passes: retry it. */
const cardLocked = (err: FeishuApiError) => err.code === CARD_INVALID && /lock|锁/i.test(err.msg);

/**
 * Classifies a failed send from the error alone (a FeishuApiError, or anything else: a file that
 * could not be built, a database hiccup — those are retried). `attempts` counts this one.
 */
export function classifySendFailure(e: unknown, m: { action: string; attempts: number }): SendFailure {
  const err = e instanceof FeishuApiError ? e : null;
  const code = err?.code;
  const label = err ? err.label : `network: ${(e as Error | null)?.message ?? String(e)}`;
  if (code === CARD_TOO_OLD && m.action === "patch") return { code, label, verdict: { kind: "skip" } };
  if (code === SENSITIVE_REFUSED) return { code, label, verdict: { kind: "strip" } };
  return { code, label, verdict: retryOrFail(err, m.attempts) };
}

/** The verdict once stripping is not possible (no sensitive part was found to remove). */
export function retryOrFail(err: FeishuApiError | null, attempts: number): SendVerdict {
  const code = err?.code;
  const permanent = (code !== undefined && PERMANENT_CODES.has(code) && !cardLocked(err!)) || attempts >= MAX_ATTEMPTS;
  if (permanent) return { kind: "fail" };
  // 429/99991400 says when to come back; otherwise exponential backoff from 1 s, capped at 5 min.
  return { kind: "retry", backoffMs: err?.retryAfterMs ?? Math.min(300_000, 1000 * 2 ** (attempts - 1)) };
}
