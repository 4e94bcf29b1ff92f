import { createCipheriv, createDecipheriv, createHash, randomBytes, timingSafeEqual } from "node:crypto";

/**
 * Feishu's request protection, implemented here rather than trusted to the SDK (which checks the
 * signature only over re-serialized JSON, only with an encrypt key, and never checks freshness).
 */

const aesKey = (encryptKey: string) => createHash("sha256").update(encryptKey, "utf8").digest();

/** AES-256-CBC with key = SHA-256(encryptKey); body = base64(IV ‖ ciphertext), PKCS#7 padding. */
export function decryptEvent(encrypted: string, encryptKey: string): string {
  const data = Buffer.from(encrypted, "base64");
  if (data.length < 32 || data.length % 16 !== 0) throw new Error("ciphertext has a wrong length");
  const decipher = createDecipheriv("aes-256-cbc", aesKey(encryptKey), data.subarray(0, 16));
  return Buffer.concat([decipher.update(data.subarray(16)), decipher.final()]).toString("utf8");
}

/**
 * The inverse of decryptEvent, as Feishu encrypts a push (the sandbox, tests and benchmarks play
 * Feishu). Feishu draws a random IV each time; a fixed one reproduces a recorded body.
 */
export function encryptEvent(plain: string, encryptKey: string, iv: Buffer = randomBytes(16)): string {
  const cipher = createCipheriv("aes-256-cbc", aesKey(encryptKey), iv);
  return Buffer.concat([iv, cipher.update(plain, "utf8"), cipher.final()]).toString("base64");
}

/** sha256_hex(timestamp + nonce + encryptKey + rawBody), over the raw bytes as received. */
export function signatureOf(timestamp: string, nonce: string, encryptKey: string, rawBody: Buffer): string {
  return createHash("sha256")
    .update(Buffer.concat([Buffer.from(timestamp + nonce + encryptKey, "utf8"), rawBody]))
    .digest("hex");
}

const MAX_SKEW_SECONDS = 300;

export type SignatureVerdict = "ok" | "missing" | "stale" | "mismatch";

/** Checks the headers of a signed request: present, fresh (±5 minutes of `nowMs`), and matching. */
export function verifySignature(
  headers: { timestamp?: string; nonce?: string; signature?: string },
  rawBody: Buffer,
  encryptKey: string,
  nowMs: number,
): SignatureVerdict {
  const { timestamp, nonce, signature } = headers;
  if (!timestamp || !nonce || !signature) return "missing";
  const ts = Number(timestamp);
  if (!/^\d{1,12}$/.test(timestamp) || Math.abs(nowMs / 1000 - ts) > MAX_SKEW_SECONDS) return "stale";
  const expected = Buffer.from(signatureOf(timestamp, nonce, encryptKey, rawBody), "utf8");
  const given = Buffer.from(signature.toLowerCase(), "utf8");
  return expected.length === given.length && timingSafeEqual(expected, given) ? "ok" : "mismatch";
}
