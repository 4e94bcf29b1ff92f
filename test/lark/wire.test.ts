import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DEMO_OPEN_IDS } from "../../src/demo/data";
import { judgeRequest, type ReceiverConfig } from "../../src/lark/receiver";
import {
  cardActionEnvelope,
  cardResponse,
  envelopeFromFlattened,
  messageEnvelope,
  toCardAction,
  toIncomingMessage,
  urlVerification,
  webhookRequest,
  type CardResponse,
  type Envelope,
} from "../../src/lark/wire";
import { cardProblem } from "../../src/sandbox/fakeFeishu";
import plain01 from "../fixtures/lark/01-url_verification.plain.json";
import plain02 from "../fixtures/lark/02-im.message.receive_v1.group-mention.json";
import plain03 from "../fixtures/lark/03-im.message.receive_v1.p2p.json";
import plain04 from "../fixtures/lark/04-card.action.trigger.form-submit.json";
import plain05 from "../fixtures/lark/05-card.action.trigger.button.json";
import response06 from "../fixtures/lark/06-card.action.trigger.response.json";
import req07 from "../fixtures/lark/07-im.message.receive_v1.group-mention.encrypted-signed.request.json";
import req08 from "../fixtures/lark/08-card.action.trigger.form-submit.encrypted-signed.request.json";
import challenge09 from "../fixtures/lark/09-url_verification.encrypted.json";
import { startBotRig, type BotRig } from "../helpers/botRig";
import { FAKE, FAKE_APP } from "../helpers/lark";
import { missingShape, shapeOf } from "../helpers/shape";

/** The recorded payloads (test/fixtures/lark/, README there) against the one wire module. */

const BOT = "ou_b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0";
const CONFIG: ReceiverConfig = { encryptKey: FAKE.encryptKey, verificationToken: FAKE.token, appId: FAKE.appId };
const ivOf = (rawBody: string) =>
  Buffer.from((JSON.parse(rawBody) as { encrypt: string }).encrypt, "base64").subarray(0, 16);
const signedParts = (req: typeof req07) => ({
  timestamp: req.headers["x-lark-request-timestamp"],
  nonce: req.headers["x-lark-request-nonce"],
  signature: req.headers["x-lark-signature"],
});

describe("a request as Feishu sends it (fixtures 07, 08, 09)", () => {
  for (const [name, req, plain] of [
    ["07 (message)", req07, plain02],
    ["08 (form submit)", req08, plain04],
  ] as const) {
    it(`${name}: webhookRequest rebuilds it byte for byte from its plaintext, IV, timestamp and nonce`, () => {
      const built = webhookRequest(plain, {
        encryptKey: FAKE.encryptKey,
        timestampSec: Number(req.headers["x-lark-request-timestamp"]),
        nonce: req.headers["x-lark-request-nonce"],
        iv: ivOf(req.rawBody),
      });
      expect(built.body).toBe(req.rawBody);
      expect(built.headers).toEqual(req.headers);
    });

    it(`${name}: the receiver accepts it at its own time (5-minute window) and hands on the plaintext envelope`, () => {
      const ts = Number(req.headers["x-lark-request-timestamp"]);
      const raw = Buffer.from(req.rawBody, "utf8");
      expect(judgeRequest(raw, signedParts(req), CONFIG, (ts + 299) * 1000)).toEqual({
        kind: "event",
        envelope: plain,
      });
      expect(judgeRequest(raw, signedParts(req), CONFIG, (ts + 301) * 1000)).toEqual({
        kind: "reject",
        status: 401,
        reason: "signature stale",
      });
      expect(judgeRequest(raw, signedParts(req), { ...CONFIG, encryptKey: "another key" }, ts * 1000)).toMatchObject({
        kind: "reject",
        status: 401,
      });
    });
  }

  it("09: the encrypted url_verification is built unsigned from 01 and answered with its challenge", () => {
    const built = webhookRequest(plain01, {
      encryptKey: FAKE.encryptKey,
      timestampSec: 0,
      iv: ivOf(challenge09.rawBody),
      sign: false,
    });
    expect(built.body).toBe(challenge09.rawBody);
    expect(Object.keys(built.headers)).toEqual(["content-type"]);
    expect(judgeRequest(Buffer.from(challenge09.rawBody), {}, CONFIG, Date.now())).toEqual({
      kind: "challenge",
      challenge: plain01.challenge,
    });
    expect(urlVerification(FAKE.token, plain01.challenge)).toEqual(plain01);
  });
});

describe("events read into the shapes the handlers get (fixtures 02–05)", () => {
  it("02: a group message mentioning this bot is a command; another bot's mention is not", () => {
    expect(toIncomingMessage(plain02, BOT)).toEqual({
      eventId: plain02.header.event_id,
      messageId: plain02.event.message.message_id,
      chatId: FAKE.group,
      chatType: "group",
      senderOpenId: FAKE.leader,
      senderIsUser: true,
      messageType: "text",
      text: "@_user_1 抽签 2026-Q4-道路运输 抽取比例5% 见证人 @_user_2",
      mentionsBot: true,
      file: undefined,
    });
    expect(toIncomingMessage(plain02, "ou_another_bot")!.mentionsBot).toBe(false);
    expect(toIncomingMessage(plain02, null)!.mentionsBot).toBe(true); // before the bot's open_id is known
  });

  it("03: a private message, no mentions", () => {
    expect(toIncomingMessage(plain03, BOT)).toMatchObject({
      chatId: plain03.event.message.chat_id,
      chatType: "p2p",
      senderOpenId: FAKE.inspectorA,
      text: "我的任务",
      mentionsBot: false,
    });
  });

  it("04: a form submit carries the button's value and the form's values as Feishu typed them", () => {
    expect(toCardAction(plain04)).toEqual({
      operatorOpenId: FAKE.inspectorA,
      value: { action: "submit_result", task_id: "T-2026Q4-0007", v: 3 },
      formValue: {
        result_category: "problem_found",
        findings: "未按规定建立车辆技术档案（3辆）",
        handling: ["order_rectify", "refer_case"],
        rectify_deadline: "2026-12-25 +0800",
        joint_confirmed: true,
      },
      messageId: plain04.event.context.open_message_id,
      chatId: plain04.event.context.open_chat_id,
    });
  });

  it("05: a button outside a form has no form values", () => {
    expect(toCardAction(plain05)).toMatchObject({ value: plain05.event.action.value, formValue: {} });
  });

  it("the long connection's flattened events (03, 05) read the same as the webhook's", () => {
    for (const e of [plain03, plain05] as Envelope[]) {
      const rebuilt = envelopeFromFlattened({ schema: e.schema, ...e.header, ...e.event });
      expect(toIncomingMessage(rebuilt, BOT)).toEqual(toIncomingMessage(e, BOT));
      expect(toCardAction(rebuilt)).toEqual(toCardAction(e));
    }
  });
});

describe("the builders the sandbox, tests and benchmarks use make what Feishu sends", () => {
  const fromMessage = (
    e: typeof plain02 | typeof plain03,
    mentions: Parameters<typeof messageEnvelope>[1]["mentions"],
  ) =>
    messageEnvelope(FAKE_APP, {
      eventId: e.header.event_id,
      messageId: e.event.message.message_id,
      chatId: e.event.message.chat_id,
      chatType: e.event.message.chat_type as "group" | "p2p",
      sender: e.event.sender.sender_id.open_id,
      text: (JSON.parse(e.event.message.content) as { text: string }).text,
      mentions,
      createTimeMs: Number(e.event.message.create_time),
    });

  it("messageEnvelope: the shape of 02 (with mentions) and 03 (without), read the same", () => {
    const built02 = fromMessage(plain02, [
      { key: "@_user_1", openId: BOT, name: "双随机助手", bot: true },
      { key: "@_user_2", openId: FAKE.inspectorA, name: "王检查" },
    ]);
    expect(shapeOf(built02)).toEqual(shapeOf(plain02));
    expect(toIncomingMessage(built02, BOT)).toEqual(toIncomingMessage(plain02, BOT));
    const built03 = fromMessage(plain03, []);
    expect(shapeOf(built03)).toEqual(shapeOf(plain03));
    expect(toIncomingMessage(built03, BOT)).toEqual(toIncomingMessage(plain03, BOT));
  });

  it("cardActionEnvelope: the shape of 04 (in a form) and 05 (standalone), read the same", () => {
    for (const e of [plain04, plain05]) {
      const action = e.event.action as { value: Record<string, unknown>; name: string; form_value?: object };
      const built = cardActionEnvelope(FAKE_APP, {
        eventId: e.header.event_id,
        operator: e.event.operator.open_id,
        value: action.value,
        name: action.name,
        ...(action.form_value ? { formValue: action.form_value as Record<string, unknown> } : {}),
        messageId: e.event.context.open_message_id,
        chatId: e.event.context.open_chat_id,
        createTimeMs: Number(e.header.create_time) / 1000,
      });
      expect(shapeOf(built)).toEqual(shapeOf(e));
      expect(built.header.create_time).toBe(e.header.create_time); // microseconds
      expect(toCardAction(built)).toEqual(toCardAction(e));
    }
  });
});

describe("the answer to a card callback (fixture 06)", () => {
  const { i18n: _optional, ...toast06 } = response06.toast;
  const documented = { ...response06, toast: toast06 }; // i18n is optional; the bot answers in Chinese only

  it("the documented answer passes the platform's card rules", () => {
    expect(cardProblem(JSON.stringify(response06.card.data))).toBeNull();
    expect(cardResponse({ toast: toast06 as CardResponse["toast"], card: response06.card.data })).toEqual(documented);
  });

  let rig: BotRig;
  beforeAll(async () => {
    rig = await startBotRig();
  });
  afterAll(async () => rig?.stop());

  it("the bot's answer to a click that changes a card has that shape, and its card passes the rules", async () => {
    await rig.deliver(rig.say(DEMO_OPEN_IDS.leader, "抽取 T2026-03"));
    await rig.settle();
    const drawId = (await rig.db.draw.findFirstOrThrow({ where: { taskCode: "T2026-03" } })).id;
    const answer = await rig.press<typeof response06>(
      DEMO_OPEN_IDS.legal,
      { action: "draw.confirm", drawId },
      { entropy: "0-6-0-6" },
    );
    expect(missingShape(answer, documented)).toEqual([]);
    expect(answer.card.type).toBe("raw");
    expect(cardProblem(JSON.stringify(answer.card.data))).toBeNull();
    await rig.settle();
  });
});
