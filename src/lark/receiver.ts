import { decryptEvent, verifySignature } from "./crypto";
import { URL_VERIFICATION, type Envelope } from "./wire";

/** The envelope's home is ./wire; re-exported for the modules that still import it from here. */

/**
 * Turns one HTTP request from Feishu into a verdict, in the contract's order: signature and
 * timestamp (401), then decryption and JSON (400), then the verification token (401). Only an
 * encrypted url_verification may come unsigned — decrypting it with the key is its proof.
 * Nothing here touches the database: a refused request leaves no trace.
 */

export interface ReceiverConfig {
  encryptKey?: string;
  verificationToken?: string;
  appId?: string;
}

export type Verdict =
  | { kind: "reject"; status: 400 | 401; reason: string }
  | { kind: "challenge"; challenge: string }
  | { kind: "event"; envelope: Envelope };

export interface RequestHeaders {
  timestamp?: string;
  nonce?: string;
  signature?: string;
}

const reject = (status: 400 | 401, reason: string): Verdict => ({ kind: "reject", status, reason });

function parseJson(text: string): Envelope | null {
  try {
    const v = JSON.parse(text) as unknown;
    return v !== null && typeof v === "object" && !Array.isArray(v) ? (v as Envelope) : null;
  } catch {
    return null;
  }
}

export function judgeRequest(rawBody: Buffer, headers: RequestHeaders, config: ReceiverConfig, nowMs: number): Verdict {
  const unsigned = !headers.timestamp && !headers.nonce && !headers.signature;

  // Signature first. With a key, the only unsigned body is an encrypted url_verification, and every
  // other unsigned body gets the same 401 whatever failed inside (base64, padding, JSON, type):
  // telling those apart would be a CBC padding oracle for anyone on the internet.
  if (config.encryptKey && unsigned) {
    const challenge = unsignedChallenge(rawBody, config);
    return challenge ?? reject(401, "unsigned request");
  }
  if (config.encryptKey) {
    const verdict = verifySignature(headers, rawBody, config.encryptKey, nowMs);
    if (verdict !== "ok") return reject(401, `signature ${verdict}`);
  }

  let body = parseJson(rawBody.toString("utf8"));
  if (!body) return reject(400, "body is not a JSON object");
  const encrypted = typeof (body as { encrypt?: unknown }).encrypt === "string";
  if (encrypted) {
    if (!config.encryptKey) return reject(400, "encrypted body but LARK_ENCRYPT_KEY is not set");
    try {
      body = parseJson(decryptEvent((body as { encrypt: string }).encrypt, config.encryptKey));
    } catch {
      return reject(400, "cannot decrypt");
    }
    if (!body) return reject(400, "decrypted body is not a JSON object");
  }

  const token = body.header?.token ?? body.token;
  if (config.verificationToken && token !== config.verificationToken) return reject(401, "verification token mismatch");

  if (body.type === URL_VERIFICATION) {
    return typeof body.challenge === "string"
      ? { kind: "challenge", challenge: body.challenge }
      : reject(400, "challenge missing");
  }
  if (!body.header?.event_type || !body.header.event_id) return reject(400, "not a v2 event envelope");
  if (config.appId && body.header.app_id && body.header.app_id !== config.appId)
    return reject(401, "event for another app");
  return { kind: "event", envelope: body };
}

/** An unsigned body that decrypts to a url_verification (with the right token, when one is set), or null. */
function unsignedChallenge(rawBody: Buffer, config: ReceiverConfig): Verdict | null {
  try {
    const outer = parseJson(rawBody.toString("utf8")) as { encrypt?: unknown } | null;
    if (!outer || typeof outer.encrypt !== "string") return null;
    const body = parseJson(decryptEvent(outer.encrypt, config.encryptKey!));
    if (!body || body.type !== URL_VERIFICATION || typeof body.challenge !== "string") return null;
    if (config.verificationToken && body.token !== config.verificationToken) return null;
    return { kind: "challenge", challenge: body.challenge };
  } catch {
    return null;
  }
}
