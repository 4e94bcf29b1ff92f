import { messageEnvelope, signedHeaders as signed, webhookRequest, type WireApp } from "../../src/lark/wire";

/** The fake credentials of ../fixtures/lark/ (README there). */
export const FAKE = {
  appId: "cli_a7c3e5f10b2d4968",
  appSecret: "fake-app-secret",
  encryptKey: "FAKE-encrypt-key-do-not-use",
  token: "FAKEvTokenDoNotUse0123456789abcd",
  tenantKey: "1a2b3c4d5e6f7a8b",
  leader: "ou_1eade71eade71eade71eade71eade71e",
  inspectorA: "ou_a11ce0a11ce0a11ce0a11ce0a11ce0a1",
  group: "oc_96a0c1d2e3f4a5b6c7d8e9f0a1b2c3d4",
};

/** The fixtures' app, as event headers name it. */
export const FAKE_APP: WireApp = { appId: FAKE.appId, token: FAKE.token, tenantKey: FAKE.tenantKey };

/** An encrypted body (random IV), as Feishu posts it; unsigned. */
export const encryptBody = (plain: unknown, key = FAKE.encryptKey): string =>
  webhookRequest(plain, { encryptKey: key, timestampSec: 0, sign: false }).body;

/** Headers Feishu would send with a raw body at a given time (seconds). */
export const signedHeaders = (
  rawBody: string,
  timestampSec: number,
  key = FAKE.encryptKey,
): Record<string, string> => ({
  "content-type": "application/json; charset=utf-8",
  ...signed(rawBody, { encryptKey: key, timestampSec }),
});

/** A text message to the fixtures' app (see messageEnvelope), at the fixtures' time unless given. */
export const messageEvent = (
  o: Omit<Parameters<typeof messageEnvelope>[1], "createTimeMs" | "file"> & { text: string; createTimeMs?: number },
) => messageEnvelope(FAKE_APP, { ...o, createTimeMs: o.createTimeMs ?? 1795570200000 });

/** The environment of the bot in production mode against the simulated Feishu at `domain` (npm start's config). */
export function productionEnv(domain: string, dbFile: string): NodeJS.ProcessEnv {
  return {
    DATABASE_URL: `file:${dbFile}`,
    PORT: "0",
    HOST: "127.0.0.1",
    LOG_LEVEL: "silent",
    LARK_APP_ID: FAKE.appId,
    LARK_APP_SECRET: FAKE.appSecret,
    LARK_ENCRYPT_KEY: FAKE.encryptKey,
    LARK_VERIFICATION_TOKEN: FAKE.token,
    LARK_DOMAIN: domain,
  };
}
