import * as lark from "@larksuiteoapi/node-sdk";
import { afterEach, describe, expect, it } from "vitest";
import { sdkLogger } from "../../src/lark/client";
import { callFeishu, FeishuApiError } from "../../src/lark/feishuError";
import { classifySendFailure, MAX_ATTEMPTS, retryOrFail } from "../../src/lark/sendFailure";
import { FakeFeishu } from "../../src/sandbox/fakeFeishu";

/** What the SDK (axios) throws for a refusal: the body and the headers under `response`. */
const axiosError = (status: number, data: unknown, headers: Record<string, string> = {}) =>
  Object.assign(new Error(`Request failed with status code ${status}`), {
    isAxiosError: true,
    config: { headers: { Authorization: "Bearer t-secret" } },
    response: { status, data, headers },
  });

const feishu = (code: number, msg = "refused", status = 400) =>
  new FeishuApiError("im.v1.message.create", code, msg, status);

describe("FeishuApiError", () => {
  it("reads Feishu's code, msg, status and the rate-limit reset from what the SDK threw", () => {
    const err = FeishuApiError.from(
      axiosError(429, { code: 99991400, msg: "request trigger frequency limit" }, { "x-ogw-ratelimit-reset": "3" }),
      "im.v1.message.create",
    );
    expect(err).toMatchObject({
      api: "im.v1.message.create",
      code: 99991400,
      msg: "request trigger frequency limit",
      httpStatus: 429,
      retryAfterMs: 3000,
      throttled: true,
      label: "99991400: request trigger frequency limit",
    });
    expect(JSON.stringify({ ...err })).not.toContain("t-secret"); // nothing of the request comes along
  });

  it("a failure without Feishu's answer has no code and is labelled network", () => {
    const err = FeishuApiError.from(new Error("connect ECONNREFUSED 127.0.0.1:9"), "bot.v3.info");
    expect(err.code).toBeUndefined();
    expect(err.throttled).toBe(false);
    expect(err.label).toBe("network: connect ECONNREFUSED 127.0.0.1:9");
  });

  it("check() passes code 0 and turns an HTTP-200 refusal into the error", () => {
    expect(FeishuApiError.check({ code: 0, msg: "ok", data: 1 }, "x").data).toBe(1);
    expect(() => FeishuApiError.check({ code: 230031, msg: "too old" }, "im.v1.message.patch")).toThrow(
      expect.objectContaining({ code: 230031, httpStatus: 200, api: "im.v1.message.patch" }),
    );
  });
});

describe("classifySendFailure: the outbox's decision reads err.code", () => {
  const create = { action: "create", attempts: 1 };
  it("230031 skips a card update but fails a new message", () => {
    expect(classifySendFailure(feishu(230031), { action: "patch", attempts: 1 }).verdict).toEqual({ kind: "skip" });
    expect(classifySendFailure(feishu(230031), create).verdict).toEqual({ kind: "fail" });
  });

  it("230028 resends without the sensitive parts; with none to strip it is permanent", () => {
    expect(classifySendFailure(feishu(230028), create).verdict).toEqual({ kind: "strip" });
    expect(retryOrFail(feishu(230028), 1)).toEqual({ kind: "fail" });
  });

  it("230099 is permanent unless its msg says the card is locked", () => {
    expect(classifySendFailure(feishu(230099, "card content invalid 11310"), create).verdict).toEqual({ kind: "fail" });
    expect(classifySendFailure(feishu(230099, "card is locked by another update"), create).verdict).toEqual({
      kind: "retry",
      backoffMs: 1000,
    });
  });

  it("a throttle waits as Feishu says, else backs off exponentially; out of attempts it fails", () => {
    const gateway = FeishuApiError.from(
      axiosError(429, { code: 99991400, msg: "limit" }, { "x-ogw-ratelimit-reset": "7" }),
      "im.v1.message.create",
    );
    expect(classifySendFailure(gateway, create).verdict).toEqual({ kind: "retry", backoffMs: 7000 });
    expect(classifySendFailure(feishu(230020), { action: "create", attempts: 4 }).verdict).toEqual({
      kind: "retry",
      backoffMs: 8000,
    });
    expect(classifySendFailure(feishu(230020), { action: "create", attempts: MAX_ATTEMPTS }).verdict).toEqual({
      kind: "fail",
    });
  });

  it("anything that is not Feishu's answer (a file that could not be built) is retried, labelled network", () => {
    const f = classifySendFailure(new Error("no file source configured"), create);
    expect(f).toEqual({
      code: undefined,
      label: "network: no file source configured",
      verdict: { kind: "retry", backoffMs: 1000 },
    });
  });
});

describe("callFeishu against the simulated Feishu, through the real SDK", () => {
  let fake: FakeFeishu | undefined;
  afterEach(async () => void (await fake?.close()));

  it("a 400 refusal arrives as a FeishuApiError with Feishu's code and the API's name", async () => {
    const appId = "cli_feishuerror00000001"; // its own app id: the SDK caches tokens per app id, process-wide
    fake = new FakeFeishu({ appId, appSecret: "s" });
    fake.addChat("oc_g", "执法大队", ["ou_u1"]);
    const client = new lark.Client({
      appId,
      appSecret: "s",
      domain: await fake.listen(),
      loggerLevel: lark.LoggerLevel.error,
      logger: sdkLogger(), // the SDK logs the refusal itself; not onto the test output
    });
    fake.failNext((p) => p === "/open-apis/im/v1/messages", 230002, "Bot is not in the chat");
    const sent = callFeishu("im.v1.message.create", () =>
      client.im.v1.message.create({
        params: { receive_id_type: "chat_id" },
        data: { receive_id: "oc_g", msg_type: "text", content: JSON.stringify({ text: "你好" }) },
      }),
    );
    await expect(sent).rejects.toBeInstanceOf(FeishuApiError);
    await expect(sent).rejects.toMatchObject({
      api: "im.v1.message.create",
      code: 230002,
      msg: "Bot is not in the chat",
      httpStatus: 400,
    });
  });
});
