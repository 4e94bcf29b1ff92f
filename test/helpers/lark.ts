import { createCipheriv, createHash, randomBytes } from "node:crypto";
import { signatureOf } from "../../src/lark/crypto";

export const FAKE = {
  appId: "cli_a7c3e5f10b2d4968",
  appSecret: "fake-app-secret",
  encryptKey: "FAKE-encrypt-key-do-not-use",
  token: "FAKEvTokenDoNotUse0123456789abcd",
  leader: "ou_1eade71eade71eade71eade71eade71e",
  inspectorA: "ou_a11ce0a11ce0a11ce0a11ce0a11ce0a1",
  group: "oc_96a0c1d2e3f4a5b6c7d8e9f0a1b2c3d4",
};

/** What Feishu does and the SDK can't: encrypt a body (random IV) for tests. */
export function encryptBody(plain: unknown, key = FAKE.encryptKey): string {
  const iv = randomBytes(16);
  const cipher = createCipheriv("aes-256-cbc", createHash("sha256").update(key).digest(), iv);
  const data = Buffer.concat([iv, cipher.update(JSON.stringify(plain), "utf8"), cipher.final()]);
  return JSON.stringify({ encrypt: data.toString("base64") });
}

/** Headers Feishu would send with a raw body at a given time (seconds). */
export function signedHeaders(rawBody: string, timestampSec: number, key = FAKE.encryptKey): Record<string, string> {
  const timestamp = String(timestampSec);
  const nonce = randomBytes(4).toString("hex");
  return {
    "content-type": "application/json; charset=utf-8",
    "x-lark-request-timestamp": timestamp,
    "x-lark-request-nonce": nonce,
    "x-lark-signature": signatureOf(timestamp, nonce, key, Buffer.from(rawBody, "utf8")),
  };
}

/** A v2 im.message.receive_v1 envelope with text content. */
export function messageEvent(o: {
  eventId: string;
  messageId: string;
  text: string;
  sender: string;
  chatId: string;
  chatType: "group" | "p2p";
  mentions?: { key: string; openId: string; name: string; bot?: boolean }[];
  createTimeMs?: number;
}) {
  return {
    schema: "2.0",
    header: {
      event_id: o.eventId,
      event_type: "im.message.receive_v1",
      create_time: String(o.createTimeMs ?? 1795570200123),
      token: FAKE.token,
      app_id: FAKE.appId,
      tenant_key: "1a2b3c4d5e6f7a8b",
    },
    event: {
      sender: {
        sender_id: { open_id: o.sender, union_id: "on_x", user_id: "" },
        sender_type: "user",
        tenant_key: "1a2b3c4d5e6f7a8b",
      },
      message: {
        message_id: o.messageId,
        create_time: String(o.createTimeMs ?? 1795570200000),
        chat_id: o.chatId,
        chat_type: o.chatType,
        message_type: "text",
        content: JSON.stringify({ text: o.text }),
        mentions: (o.mentions ?? []).map((m) => ({
          key: m.key,
          id: { open_id: m.openId, union_id: "", user_id: "" },
          name: m.name,
          mentioned_type: m.bot ? "bot" : "user",
          tenant_key: "1a2b3c4d5e6f7a8b",
        })),
      },
    },
  };
}
