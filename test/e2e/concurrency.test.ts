import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DEMO_OPEN_IDS } from "../../src/demo/data";
import { startBotRig, type BotRig } from "../helpers/botRig";

/**
 * Issue 8 §2, proven against the real bot over HTTP (serving thread + processing thread, each with
 * its own SQLite connection, the simulated Feishu behind the real SDK): p2p messages stream in while
 * twelve inspectors press 「接受任务」 at the same moment. No click is refused for contention and
 * every message is answered exactly once.
 */
let rig: BotRig;
const EVENTS = 300;
const CLICKS = 12;
const CHATS = 60;

beforeAll(async () => {
  rig = await startBotRig();
  // Enough task cards for twelve clicks: draw tasks until there are.
  for (const task of ["T2026-03", "T2026-01", "T2026-04"]) {
    if ((await rig.db.assignment.count()) >= CLICKS) break;
    await rig.deliver(rig.say(DEMO_OPEN_IDS.leader, `抽取 ${task}`));
    await rig.settle();
    const drawId = (await rig.db.draw.findFirstOrThrow({ where: { taskCode: task } })).id;
    await rig.press(DEMO_OPEN_IDS.legal, { action: "draw.confirm", drawId }, { entropy: "1-2-3-4" });
    await rig.settle();
  }
});
afterAll(async () => rig?.stop());

describe("concurrent writers (events streaming, simultaneous clicks)", () => {
  it("refuses no click and answers every event exactly once", async () => {
    const users = (
      await rig.db.inspector.findMany({ where: { openId: { not: null } }, orderBy: { certNo: "asc" } })
    ).map((i) => i.openId!);
    const chats = Array.from({ length: CHATS }, (_, k) => {
      const user = users[k % users.length]!;
      const chatId = `oc_p2p_conc_${k}`;
      rig.fake.addChat(chatId, "单聊", [user]);
      return { chatId, user };
    });
    const assignments = await rig.db.assignment.findMany({
      where: { status: "assigned", cardMessageId: { not: null } },
      orderBy: { id: "asc" },
      take: CLICKS,
    });
    expect(assignments).toHaveLength(CLICKS);
    const openIdOf = new Map((await rig.db.inspector.findMany()).map((i) => [i.certNo, i.openId!]));
    const before = rig.fake.messages.length;

    // Each message is an unknown command naming its number, so each reply is recognisable.
    const events = Array.from({ length: EVENTS }, (_, k) => {
      const { chatId, user } = chats[k % CHATS]!;
      return rig.say(user, `查询${k}`, chatId, "p2p");
    });
    let sent = 0;
    const acks: number[] = [];
    const stream = async () => {
      // 16 deliveries in flight at any time: a steady stream while the processing thread writes.
      const next = async (): Promise<void> => {
        const k = sent++;
        if (k >= EVENTS) return;
        const res = await rig.deliver(events[k]!);
        acks.push(res.status);
        return next();
      };
      await Promise.all(Array.from({ length: 16 }, next));
    };
    const clicks = async () => {
      while (sent < EVENTS / 3) await new Promise((r) => setImmediate(r)); // mid-stream, with processing under way
      return Promise.all(
        assignments.map((a) => rig.press(openIdOf.get(a.inspectorId)!, { action: "task.accept", assignmentId: a.id })),
      );
    };
    const [, answers] = await Promise.all([stream(), clicks()]);

    expect(acks.filter((s) => s !== 200)).toEqual([]);
    const toasts = answers.map((a) => a.toast?.content ?? "");
    expect(toasts.filter((t) => t.includes("系统繁忙"))).toEqual([]);
    expect(toasts.every((t) => t.startsWith("已接受"))).toBe(true);
    expect(
      await rig.db.assignment.count({ where: { id: { in: assignments.map((a) => a.id) }, status: "accepted" } }),
    ).toBe(CLICKS);

    await rig.settle(240_000); // 300 replies, paced to Feishu's limits, on a loaded machine
    expect(await rig.db.inboxEvent.count({ where: { status: { not: "done" } } })).toBe(0);
    const replies = rig.fake.messages.slice(before).map((m) => rig.textOf(m));
    for (let k = 0; k < EVENTS; k++) {
      expect(
        replies.filter((t) => t.includes(`「查询${k}」`)),
        `replies to 查询${k}`,
      ).toHaveLength(1);
    }
    expect(await rig.db.outboxMessage.count({ where: { status: { not: "sent" } } })).toBe(0);
  }, 300_000); // 21.8 s, 31.3 s and 82.6 s in full suites on a loaded machine
});
