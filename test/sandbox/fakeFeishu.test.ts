import { afterEach, describe, expect, it } from "vitest";
import { FakeFeishu } from "../../src/sandbox/fakeFeishu";
import responses from "../fixtures/lark/10-openapi-responses.json";
import { FAKE } from "../helpers/lark";
import { missingShape } from "../helpers/shape";

/**
 * The simulated platform answers what the real one answers (fixture 10, recorded shapes): each
 * entry the bot's calls can meet is produced by the fake and compared: status, Feishu's code and
 * message for errors, the rate-limit headers, and every field of the recorded body (type included).
 */

type Entry = { status: number; headers?: Record<string, string>; body: Record<string, unknown> };
const recorded = responses as unknown as Record<string, Entry>;

/** Entries of the fixture for APIs the bot never calls: the fake doesn't emulate them. */
const NOT_CALLED = [
  "POST /open-apis/im/v1/messages/:message_id/reply", // the bot sends new messages (idempotent uuid), never replies
  "POST /open-apis/interactive/v1/card/update", // the delayed update: the bot answers callbacks synchronously or patches
  "GET /open-apis/contact/v3/users/:user_id?user_id_type=open_id", // names come from the roster; mobiles via batch_get_id
];

const BOT = "ou_b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0";
const CARD = JSON.stringify({ schema: "2.0", config: { update_multi: true }, body: { elements: [] } });
let fake: FakeFeishu;
afterEach(async () => fake?.close());

async function platform(opts: { appQps?: number } = {}) {
  let now = Date.parse("2026-11-25T01:30:00Z");
  fake = new FakeFeishu({ appId: FAKE.appId, appSecret: FAKE.appSecret, botOpenId: BOT, now: () => now, ...opts });
  const base = await fake.listen();
  const call = async (method: string, path: string, body?: unknown, token?: string) => {
    const res = await fetch(`${base}${path}`, {
      method,
      headers: { "content-type": "application/json", ...(token ? { authorization: `Bearer ${token}` } : {}) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return { status: res.status, headers: res.headers, body: (await res.json()) as Record<string, unknown> };
  };
  const auth = await call("POST", "/open-apis/auth/v3/tenant_access_token/internal", {
    app_id: FAKE.appId,
    app_secret: FAKE.appSecret,
  });
  const token = String(auth.body["tenant_access_token"]);
  return {
    auth,
    call: (method: string, path: string, body?: unknown) => call(method, path, body, token),
    unauthenticated: call,
    advance: (ms: number) => (now += ms),
  };
}

const sameAs = (key: string, got: { status: number; body: Record<string, unknown> }) => {
  const want = recorded[key]!;
  expect({ key, status: got.status, missing: missingShape(got.body, want.body) }).toEqual({
    key,
    status: want.status,
    missing: [],
  });
};
const sameError = (key: string, got: { status: number; body: Record<string, unknown> }) => {
  const want = recorded[key]!;
  expect({ key, status: got.status, code: got.body["code"], msg: got.body["msg"] }).toEqual({
    key,
    status: want.status,
    code: want.body["code"],
    msg: want.body["msg"],
  });
};

describe("the simulated Feishu answers with the recorded shapes (fixture 10)", () => {
  it("every recorded entry is either checked below or for an API the bot never calls", () => {
    const checked = [
      "POST /open-apis/auth/v3/tenant_access_token/internal",
      "GET /open-apis/bot/v3/info",
      "POST /open-apis/im/v1/messages?receive_id_type=chat_id",
      "PATCH /open-apis/im/v1/messages/:message_id",
      "GET /open-apis/im/v1/chats/:chat_id/members?member_id_type=open_id&page_size=100",
      "POST /callback/ws/endpoint (WSClient bootstrap)",
      ...Object.keys(recorded).filter((k) => k.startsWith("ERROR ")),
    ];
    expect([...checked, ...NOT_CALLED].sort()).toEqual(Object.keys(recorded).sort());
  });

  it("token, bot info, send, patch, chat members and the long-connection bootstrap", async () => {
    const p = await platform();
    sameAs("POST /open-apis/auth/v3/tenant_access_token/internal", p.auth);
    sameAs("GET /open-apis/bot/v3/info", await p.call("GET", "/open-apis/bot/v3/info"));
    fake.addChat(FAKE.group, "抽查工作群", [FAKE.leader, FAKE.inspectorA]);
    const sent = await p.call("POST", "/open-apis/im/v1/messages?receive_id_type=chat_id", {
      receive_id: FAKE.group,
      msg_type: "interactive",
      content: CARD,
    });
    sameAs("POST /open-apis/im/v1/messages?receive_id_type=chat_id", sent);
    const messageId = String((sent.body["data"] as { message_id: string }).message_id);
    sameAs(
      "PATCH /open-apis/im/v1/messages/:message_id",
      await p.call("PATCH", `/open-apis/im/v1/messages/${messageId}`, { content: CARD }),
    );
    sameAs(
      "GET /open-apis/im/v1/chats/:chat_id/members?member_id_type=open_id&page_size=100",
      await p.call("GET", `/open-apis/im/v1/chats/${FAKE.group}/members?member_id_type=open_id&page_size=100`),
    );
    sameAs(
      "POST /callback/ws/endpoint (WSClient bootstrap)",
      await p.unauthenticated("POST", "/callback/ws/endpoint", { AppID: FAKE.appId, AppSecret: FAKE.appSecret }),
    );
  });

  it("the errors: bot not in the group, per-chat frequency, gateway limit (with its headers), bad token, old card", async () => {
    const p = await platform({ appQps: 8 });
    fake.addChat(FAKE.group, "抽查工作群", [FAKE.leader], false);
    const toGroup = () =>
      p.call("POST", "/open-apis/im/v1/messages?receive_id_type=chat_id", {
        receive_id: FAKE.group,
        msg_type: "interactive",
        content: CARD,
      });
    sameError("ERROR bot not in group (HTTP 400)", await toGroup());

    fake.chats.get(FAKE.group)!.botIn = true;
    const sends = [];
    for (let k = 0; k < 6; k++) sends.push(await toGroup()); // 5 per second per chat
    sameError("ERROR per-chat/per-user frequency limit (HTTP 400)", sends[5]!);

    const gateway = "ERROR gateway rate limit (HTTP 429, headers x-ogw-ratelimit-limit / x-ogw-ratelimit-reset)";
    let limited = await toGroup();
    while (limited.status !== 429 && sends.length < 20) sends.push((limited = await toGroup()));
    sameError(gateway, limited);
    for (const name of Object.keys(recorded[gateway]!.headers!)) expect(limited.headers.get(name)).toMatch(/^\d+$/);
    expect(limited.headers.get("x-ogw-ratelimit-reset")).toBe(recorded[gateway]!.headers!["x-ogw-ratelimit-reset"]);

    sameError(
      "ERROR invalid/expired tenant token (HTTP 400 or 401 — verify)",
      await p.unauthenticated("GET", "/open-apis/bot/v3/info", undefined, "t-expired"),
    );

    p.advance(15 * 24 * 3600 * 1000); // past the 14 days (the windows above are long gone too)
    const first = sends.find((s) => s.status === 200)!;
    const old = String((first.body["data"] as { message_id: string }).message_id);
    sameError(
      "ERROR card older than 14 days (HTTP 400)",
      await p.call("PATCH", `/open-apis/im/v1/messages/${old}`, { content: CARD }),
    );
  });
});
