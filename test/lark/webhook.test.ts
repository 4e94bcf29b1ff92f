import Router from "@koa/router";
import Koa from "koa";
import { createCipheriv, createHash } from "node:crypto";
import type { Server } from "node:http";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { InboxWorker } from "../../src/lark/inbox";
import type { ReceiverConfig } from "../../src/lark/receiver";
import type { Envelope } from "../../src/lark/wire";
import { registerWebhook } from "../../src/lark/webhook";
import { createLogger } from "../../src/logger";
import type { Db, Tx } from "../../src/store/db";
import req07 from "../fixtures/lark/07-im.message.receive_v1.group-mention.encrypted-signed.request.json";
import req08 from "../fixtures/lark/08-card.action.trigger.form-submit.encrypted-signed.request.json";
import challenge09 from "../fixtures/lark/09-url_verification.encrypted.json";
import plain01 from "../fixtures/lark/01-url_verification.plain.json";
import plain02 from "../fixtures/lark/02-im.message.receive_v1.group-mention.json";
import { freshDb } from "../helpers/db";
import { encryptBody, FAKE, messageEvent, signedHeaders } from "../helpers/lark";

const T07 = Number(req07.headers["x-lark-request-timestamp"]);

interface Rig {
  db: Db;
  base: string;
  handled: Envelope[];
  cards: Envelope[];
  setNow: (sec: number) => void;
  worker: InboxWorker;
  server: Server;
  failNext: { n: number };
}

async function rig(config: ReceiverConfig, handler?: (tx: Tx, e: Envelope) => Promise<void>): Promise<Rig> {
  const { db } = freshDb();
  let now = T07 * 1000;
  const handled: Envelope[] = [];
  const cards: Envelope[] = [];
  const failNext = { n: 0 };
  const logger = createLogger("silent");
  const worker = new InboxWorker({
    db,
    handle:
      handler ??
      (async (_tx, e) => {
        if (failNext.n-- > 0) throw new Error("simulated crash");
        handled.push(e);
      }),
    logger,
  });
  const app = new Koa();
  const router = new Router();
  registerWebhook(router, {
    db,
    config,
    now: () => new Date(now),
    worker,
    onCard: async (e) => (cards.push(e), { toast: { type: "success", content: "已收到" } }),
    logger,
  });
  app.use(router.routes());
  const server = app.listen(0, "127.0.0.1");
  await new Promise((r) => server.once("listening", r));
  const a = server.address();
  return {
    db,
    base: `http://127.0.0.1:${typeof a === "object" && a ? a.port : 0}`,
    handled,
    cards,
    setNow: (s) => (now = s * 1000),
    worker,
    server,
    failNext,
  };
}

const post = (
  base: string,
  body: string,
  headers: Record<string, string> = { "content-type": "application/json" },
  path = "/lark/events",
) => fetch(`${base}${path}`, { method: "POST", body, headers });

let r: Rig;
afterEach(async () => {
  await r?.worker.idle();
  r?.server.close();
});

describe("webhook with an encrypt key (signature over the raw body)", () => {
  beforeEach(async () => {
    r = await rig({ encryptKey: FAKE.encryptKey, verificationToken: FAKE.token, appId: FAKE.appId });
  });

  it("stores the recorded event before answering 200 {}, then processes it once", async () => {
    const res = await post(r.base, req07.rawBody, req07.headers);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({});
    expect(await r.db.inboxEvent.count()).toBe(1); // in the database by the time the 200 arrived
    await r.worker.idle();
    expect(r.handled).toHaveLength(1);
    const { token: _verificationToken, ...headerWithoutToken } = plain02.header;
    expect(r.handled[0]).toEqual({ ...plain02, header: headerWithoutToken });
    expect((await r.db.inboxEvent.findFirstOrThrow()).status).toBe("done");
  });

  it("a duplicate delivery, or a re-push of the same message with a new event_id, is acknowledged and ignored", async () => {
    await post(r.base, req07.rawBody, req07.headers);
    await r.worker.idle();
    expect((await post(r.base, req07.rawBody, req07.headers)).status).toBe(200);
    const repush = encryptBody({ ...plain02, header: { ...plain02.header, event_id: "another-event-id" } });
    expect((await post(r.base, repush, signedHeaders(repush, T07))).status).toBe(200);
    await r.worker.idle();
    expect(r.handled).toHaveLength(1);
    expect(await r.db.inboxEvent.count()).toBe(1);
  });

  it("refuses forged, tampered, unsigned and stale requests with 401 and records nothing", async () => {
    const forged = { ...req07.headers, "x-lark-signature": "0".repeat(64) };
    expect((await post(r.base, req07.rawBody, forged)).status).toBe(401);
    expect((await post(r.base, req07.rawBody.replace('{"encrypt":"A', '{"encrypt":"B'), req07.headers)).status).toBe(
      401,
    );
    expect((await post(r.base, req07.rawBody)).status).toBe(401);
    r.setNow(T07 + 301);
    expect((await post(r.base, req07.rawBody, req07.headers)).status).toBe(401);
    r.setNow(T07 - 301);
    expect((await post(r.base, req07.rawBody, req07.headers)).status).toBe(401);
    expect(await r.db.inboxEvent.count()).toBe(0);
  });

  it("answers 400 to a signed body that can't be decrypted or isn't JSON, and 401 to a wrong token inside", async () => {
    const garbage = JSON.stringify({ encrypt: Buffer.alloc(48, 7).toString("base64") });
    expect((await post(r.base, garbage, signedHeaders(garbage, T07))).status).toBe(400);
    expect((await post(r.base, "not json", signedHeaders("not json", T07))).status).toBe(400);
    const wrongToken = encryptBody({ ...plain02, header: { ...plain02.header, token: "wrong" } });
    expect((await post(r.base, wrongToken, signedHeaders(wrongToken, T07))).status).toBe(401);
    const otherApp = encryptBody({ ...plain02, header: { ...plain02.header, app_id: "cli_0000000000000000" } });
    expect((await post(r.base, otherApp, signedHeaders(otherApp, T07))).status).toBe(401);
    expect(await r.db.inboxEvent.count()).toBe(0);
  });

  it("answers the encrypted url_verification (unsigned, as Feishu sends it) on both URLs", async () => {
    for (const path of ["/lark/events", "/lark/cards"]) {
      const res = await post(r.base, challenge09.rawBody, { "content-type": "application/json" }, path);
      expect(res.status).toBe(200);
      expect(await res.json()).toEqual({ challenge: plain01.challenge });
    }
    // An unsigned encrypted body that is not a challenge is refused.
    const sneaky = encryptBody(plain02);
    expect((await post(r.base, sneaky)).status).toBe(401);
  });

  it("hands a card callback to the card handler synchronously and returns its answer", async () => {
    r.setNow(Number(req08.headers["x-lark-request-timestamp"]));
    const res = await post(r.base, req08.rawBody, req08.headers, "/lark/cards");
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ toast: { type: "success", content: "已收到" } });
    expect(r.cards).toHaveLength(1);
    expect(await r.db.inboxEvent.count()).toBe(0);
  });
});

describe("an unsigned caller learns nothing (encrypt key set)", () => {
  beforeEach(async () => {
    r = await rig({ encryptKey: FAKE.encryptKey, verificationToken: FAKE.token, appId: FAKE.appId });
  });

  const key = createHash("sha256").update(FAKE.encryptKey).digest();
  /** IV ‖ AES-CBC(plain) with the real key, optionally with the padding bytes broken. */
  const cipherBody = (plain: Buffer, breakPadding = false) => {
    const iv = Buffer.alloc(16, 3);
    const padded = Buffer.concat([plain, Buffer.alloc(16 - (plain.length % 16), 16 - (plain.length % 16))]);
    if (breakPadding) padded[padded.length - 1] = 0x55;
    const c = createCipheriv("aes-256-cbc", key, iv).setAutoPadding(false);
    return JSON.stringify({ encrypt: Buffer.concat([iv, c.update(padded), c.final()]).toString("base64") });
  };

  it("answers every unsigned body that is not an encrypted url_verification with the same 401 body", async () => {
    const bodies = {
      badPadding: cipherBody(Buffer.from('{"type":"url_verification","challenge":"x"}'), true),
      badJson: cipherBody(Buffer.from("not json at all, but padded well")),
      notAnObject: cipherBody(Buffer.from("[1,2,3]")),
      shortCiphertext: JSON.stringify({ encrypt: Buffer.alloc(8).toString("base64") }),
      notEncrypted: JSON.stringify(plain02),
      notJson: "{",
      event: encryptBody(plain02),
      challengeWrongToken: encryptBody({ ...plain01, token: "wrong" }),
      challengeOtherKey: encryptBody(plain01, "another key"),
    };
    for (const [name, body] of Object.entries(bodies)) {
      const res = await post(r.base, body);
      expect({ name, status: res.status, body: await res.text() }).toEqual({
        name,
        status: 401,
        body: '{"code":401,"msg":"unauthorized"}',
      });
    }
    expect(await r.db.inboxEvent.count()).toBe(0);
    // ... while the genuine one still works
    expect(await (await post(r.base, challenge09.rawBody)).json()).toEqual({ challenge: plain01.challenge });
  });

  it("every 401 has the fixed body: forged signature, stale timestamp, wrong token, another app", async () => {
    const forged = { ...req07.headers, "x-lark-signature": "0".repeat(64) };
    const wrongToken = encryptBody({ ...plain02, header: { ...plain02.header, token: "wrong" } });
    const otherApp = encryptBody({ ...plain02, header: { ...plain02.header, app_id: "cli_0000000000000000" } });
    const responses = [
      await post(r.base, req07.rawBody, forged),
      await post(r.base, wrongToken, signedHeaders(wrongToken, T07)),
      await post(r.base, otherApp, signedHeaders(otherApp, T07)),
      await post(r.base, req07.rawBody, { ...req07.headers, "x-lark-signature": "" }),
    ];
    r.setNow(T07 + 301);
    responses.push(await post(r.base, req07.rawBody, req07.headers));
    for (const res of responses) {
      expect(res.status).toBe(401);
      expect(await res.text()).toBe('{"code":401,"msg":"unauthorized"}');
    }
  });

  it("the same event_id redelivered with a different message_id is processed once", async () => {
    const first = encryptBody(plain02);
    const again = encryptBody({
      ...plain02,
      event: { ...plain02.event, message: { ...plain02.event.message, message_id: "om_another_message_id" } },
    });
    expect((await post(r.base, first, signedHeaders(first, T07))).status).toBe(200);
    expect((await post(r.base, again, signedHeaders(again, T07))).status).toBe(200);
    await r.worker.idle();
    expect(r.handled).toHaveLength(1);
    expect(await r.db.inboxEvent.count()).toBe(1);
  });

  it("the inbox does not store header.token", async () => {
    expect((await post(r.base, req07.rawBody, req07.headers)).status).toBe(200);
    const row = await r.db.inboxEvent.findFirstOrThrow();
    expect(row.payload).not.toContain(FAKE.token);
    expect((JSON.parse(row.payload) as { header: Record<string, unknown> }).header).not.toHaveProperty("token");
  });
});

describe("webhook with only a verification token", () => {
  beforeEach(async () => {
    r = await rig({ verificationToken: FAKE.token });
  });

  it("accepts the plain challenge and events with the right token, refuses others", async () => {
    expect(await (await post(r.base, JSON.stringify(plain01))).json()).toEqual({ challenge: plain01.challenge });
    expect((await post(r.base, JSON.stringify({ ...plain01, token: "nope" }))).status).toBe(401);
    expect((await post(r.base, JSON.stringify(plain02))).status).toBe(200);
    expect(
      (await post(r.base, JSON.stringify({ ...plain02, header: { ...plain02.header, token: "nope" } }))).status,
    ).toBe(401);
    expect((await post(r.base, "{")).status).toBe(400);
    expect((await post(r.base, encryptBody(plain02))).status).toBe(400); // encrypted, but no key configured
  });
});

describe("restart mid-processing", () => {
  it("a crash inside the handler rolls back its writes; after restart the event runs once", async () => {
    const effects = async (tx: Tx, e: Envelope) => {
      await tx.setting.create({ data: { key: `seen:${e.header!.event_id}`, value: "1" } });
      if (r.failNext.n-- > 0) throw new Error("crash after a write");
    };
    r = await rig({ verificationToken: FAKE.token }, effects);
    r.failNext.n = 1;
    const body = JSON.stringify(
      messageEvent({
        eventId: "e-1",
        messageId: "om_1",
        text: "帮助",
        sender: FAKE.leader,
        chatId: "oc_1",
        chatType: "p2p",
      }).valueOf(),
    );
    const withToken = JSON.parse(body) as { header: { token: string } };
    withToken.header.token = FAKE.token;
    expect((await post(r.base, JSON.stringify(withToken))).status).toBe(200);
    await r.worker.idle();
    expect(await r.db.setting.count()).toBe(0); // rolled back
    expect((await r.db.inboxEvent.findFirstOrThrow()).status).toBe("pending");

    // The retry waits out its back-off (5 s): the restarted worker's clock is past it.
    const restarted = new InboxWorker({
      db: r.db,
      handle: effects,
      logger: createLogger("silent"),
      now: () => new Date(Date.now() + 10_000),
    });
    await restarted.kick();
    expect(await r.db.setting.count()).toBe(1);
    expect((await r.db.inboxEvent.findFirstOrThrow()).status).toBe("done");
    await restarted.kick(); // nothing left to do twice
    expect(await r.db.setting.count()).toBe(1);
  });
});
