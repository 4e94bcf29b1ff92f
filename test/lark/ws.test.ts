import { describe, expect, it } from "vitest";
import type { Envelope } from "../../src/lark/wire";
import { envelopeFromFlattened } from "../../src/lark/wire";
import { wsDispatcher } from "../../src/lark/wsReceiver";
import { createLogger } from "../../src/logger";
import plain02 from "../fixtures/lark/02-im.message.receive_v1.group-mention.json";
import plain04 from "../fixtures/lark/04-card.action.trigger.form-submit.json";
import { freshDb } from "../helpers/db";

/**
 * LARK_MODE=ws shares the pipeline with the webhook. The long connection's protobuf endpoint is not
 * emulated here; these tests drive the SDK's own EventDispatcher — what WSClient hands frames to —
 * with the recorded payloads, so the SDK's real flattening is what our handlers receive.
 */
describe("long connection (WSClient) → the shared pipeline", () => {
  it("rebuilds the v2 envelope from the SDK's flattened object", () => {
    const flat = { schema: plain02.schema, ...plain02.header, ...plain02.event };
    const { token: _t, ...headerWithoutToken } = plain02.header;
    expect(envelopeFromFlattened(flat)).toEqual({ schema: "2.0", header: headerWithoutToken, event: plain02.event });
    const card = { schema: plain04.schema, ...plain04.header, ...plain04.event }; // event.token overwrote header.token
    expect(envelopeFromFlattened(card).event).toEqual(plain04.event);
  });

  it("stores a message event once (re-pushes too) and answers card callbacks synchronously", async () => {
    const { db } = freshDb();
    let kicks = 0;
    const cards: Envelope[] = [];
    const dispatcher = wsDispatcher({
      db,
      now: () => new Date(),
      worker: { kick: () => kicks++ },
      onCard: async (e) => (cards.push(e), { toast: { type: "success", content: "ok" } }),
      logger: createLogger("silent"),
    });
    expect(await dispatcher.invoke(plain02, { needCheck: false })).toEqual({});
    expect(await dispatcher.invoke(plain02, { needCheck: false })).toEqual({});
    const row = await db.inboxEvent.findFirstOrThrow();
    expect(await db.inboxEvent.count()).toBe(1);
    expect(row.dedupKey).toBe(`msg:${plain02.event.message.message_id}`);
    expect((JSON.parse(row.payload) as Envelope).event).toEqual(plain02.event);
    await new Promise((r) => setImmediate(r));
    expect(kicks).toBe(1);

    expect(await dispatcher.invoke(plain04, { needCheck: false })).toEqual({
      toast: { type: "success", content: "ok" },
    });
    expect(cards[0]!.event).toMatchObject({
      operator: plain04.event.operator,
      action: { value: plain04.event.action.value, form_value: plain04.event.action.form_value },
    });
  });
});
