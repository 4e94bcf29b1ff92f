import { describe, expect, it } from "vitest";
import { decryptEvent, signatureOf, verifySignature } from "../../src/lark/crypto";
import plain02 from "../fixtures/lark/02-im.message.receive_v1.group-mention.json";
import req07 from "../fixtures/lark/07-im.message.receive_v1.group-mention.encrypted-signed.request.json";
import req08 from "../fixtures/lark/08-card.action.trigger.form-submit.encrypted-signed.request.json";
import challenge09 from "../fixtures/lark/09-url_verification.encrypted.json";
import plain01 from "../fixtures/lark/01-url_verification.plain.json";

const KEY = "FAKE-encrypt-key-do-not-use";
const at = (ts: string, deltaSeconds = 0) => (Number(ts) + deltaSeconds) * 1000;

describe("Feishu event encryption", () => {
  it("passes the official vector: key 'test key' → 'hello world'", () => {
    expect(decryptEvent("P37w+VZImNgPEO1RBhJ6RtKl7n6zymIbEG1pReEzghk=", "test key")).toBe("hello world");
  });

  it("decrypts the recorded fixtures to the documented plaintext", () => {
    const body = JSON.parse(req07.rawBody) as { encrypt: string };
    expect(JSON.parse(decryptEvent(body.encrypt, KEY))).toEqual(plain02);
    expect(JSON.parse(decryptEvent((JSON.parse(challenge09.rawBody) as { encrypt: string }).encrypt, KEY))).toEqual(
      plain01,
    );
  });

  it("fails loudly on a wrong key or a broken ciphertext", () => {
    const body = JSON.parse(req07.rawBody) as { encrypt: string };
    expect(() => decryptEvent(body.encrypt, "another key")).toThrow();
    expect(() => decryptEvent("bm90IGVuY3J5cHRlZA==", KEY)).toThrow(/length/);
  });
});

describe("signature over the raw body", () => {
  for (const req of [req07, req08]) {
    const h = req.headers;
    const headers = {
      timestamp: h["x-lark-request-timestamp"],
      nonce: h["x-lark-request-nonce"],
      signature: h["x-lark-signature"],
    };
    const raw = Buffer.from(req.rawBody, "utf8");

    it(`accepts the fixture as sent (${h["x-lark-request-nonce"]})`, () => {
      expect(signatureOf(headers.timestamp, headers.nonce, KEY, raw)).toBe(headers.signature);
      expect(verifySignature(headers, raw, KEY, at(headers.timestamp, 10))).toBe("ok");
    });

    it("rejects a re-serialized body, a changed byte, a wrong key, missing headers, and stale or future timestamps", () => {
      const pretty = Buffer.from(JSON.stringify(JSON.parse(req.rawBody), null, 1));
      expect(verifySignature(headers, pretty, KEY, at(headers.timestamp))).toBe("mismatch");
      const flipped = Buffer.from(raw);
      flipped[20] = flipped[20]! ^ 1;
      expect(verifySignature(headers, flipped, KEY, at(headers.timestamp))).toBe("mismatch");
      expect(verifySignature(headers, raw, "other", at(headers.timestamp))).toBe("mismatch");
      expect(verifySignature({ ...headers, signature: undefined }, raw, KEY, at(headers.timestamp))).toBe("missing");
      expect(verifySignature(headers, raw, KEY, at(headers.timestamp, 301))).toBe("stale");
      expect(verifySignature(headers, raw, KEY, at(headers.timestamp, -301))).toBe("stale");
      expect(verifySignature(headers, raw, KEY, at(headers.timestamp, 299))).toBe("ok");
    });
  }
});
