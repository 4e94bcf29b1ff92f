import { afterEach, describe, expect, it } from "vitest";
import { createLarkClient } from "../src/lark/client";
import { createLogger, registerSecret } from "../src/logger";
import { FakeFeishu } from "../src/sandbox/fakeFeishu";

/** A logger writing into an array, as main() would write to stdout. */
function capture(level: string, env: NodeJS.ProcessEnv) {
  const lines: string[] = [];
  const logger = createLogger(level, { env, destination: { write: (s: string) => void lines.push(s) } });
  return { logger, text: () => lines.join("") };
}

const SECRET = "appSecret-PLANTED-9f8e7d6c5b4a";
const ENCRYPT = "encryptKey-PLANTED-0a1b2c3d";
const VTOKEN = "vToken-PLANTED-4e5f6a7b8c";

describe("secrets never reach a log line", () => {
  it("scrubs the configured secrets wherever they occur, inside nested JSON strings too", () => {
    const { logger, text } = capture("debug", {
      LARK_APP_SECRET: SECRET,
      LARK_ENCRYPT_KEY: ENCRYPT,
      LARK_VERIFICATION_TOKEN: VTOKEN,
    });
    const inner = JSON.stringify({ app_id: "cli_x", app_secret: SECRET });
    logger.debug(
      { sdk: [[{ config: { data: inner, deeper: JSON.stringify({ again: inner }) } }]], note: `key=${ENCRYPT}` },
      `token is ${VTOKEN}`,
    );
    logger.error({ err: new Error(`failed with ${SECRET}`), list: [ENCRYPT, { v: VTOKEN }] }, "boom");
    const out = text();
    expect(out).toContain("cli_x"); // the line is there...
    expect(out).toContain("[redacted]");
    for (const s of [SECRET, ENCRYPT, VTOKEN]) expect(out).not.toContain(s); // ...without the secrets
  });

  it("scrubs access tokens seen and any bearer credential", () => {
    const { logger, text } = capture("debug", {});
    registerSecret("t-0123456789abcdef01234567");
    logger.info(
      { headers: { Authorization: "Bearer u-someUserToken123456" }, msg2: "cached t-0123456789abcdef01234567" },
      "call",
    );
    expect(text()).not.toContain("t-0123456789abcdef01234567");
    expect(text()).not.toContain("u-someUserToken123456");
  });
});

describe("errors are logged as { err }", () => {
  it("an SDK (axios) error keeps its status and Feishu's answer, not its request config or socket", () => {
    const { logger, text } = capture("info", {});
    const sdkError = Object.assign(new Error("Request failed with status code 400"), {
      isAxiosError: true,
      config: { url: "/open-apis/im/v1/messages", data: '{"receive_id":"oc_config_body"}' },
      request: { socketPath: "socket-of-the-request" },
      response: { status: 400, data: { code: 230002, msg: "Bot is not in the chat" }, headers: {} },
    });
    logger.error({ err: sdkError }, "send failed");
    const line = JSON.parse(text()) as { err: Record<string, unknown> };
    expect(line.err).toMatchObject({
      type: "Error",
      message: "Request failed with status code 400",
      status: 400,
      feishu: { code: 230002, msg: "Bot is not in the chat" },
    });
    expect(line.err["stack"]).toContain("logger.test.ts");
    expect(text()).not.toContain("oc_config_body");
    expect(text()).not.toContain("socket-of-the-request");
  });
});

describe("a failed token call against the simulated Feishu (LOG_LEVEL=debug)", () => {
  let fake: FakeFeishu | undefined;
  afterEach(async () => void (await fake?.close()));

  it("logs the SDK's error without the app secret", async () => {
    const appId = "cli_1090aa0bb0cc0dd0"; // its own app id: the SDK caches tokens per app id, process-wide
    const secret = "wrong-secret-PLANTED-55aa66bb77cc";
    fake = new FakeFeishu({ appId, appSecret: "the-right-secret" });
    const domain = await fake.listen();
    const { logger, text } = capture("debug", {});
    const client = createLarkClient({ LARK_APP_ID: appId, LARK_APP_SECRET: secret, larkDomain: domain }, logger);
    await expect(
      client.im.v1.message.create({
        params: { receive_id_type: "chat_id" },
        data: { receive_id: "oc_1", msg_type: "text", content: "{}" },
      }),
    ).rejects.toThrow();
    const out = text();
    expect(out).toContain("tenant_access_token"); // the SDK's error, with its request config, was logged
    expect(out).toContain(`\\"app_secret\\":\\"[redacted]\\"`); // config.data, a JSON string, scrubbed inside
    expect(out).not.toContain(secret);
  });
});
