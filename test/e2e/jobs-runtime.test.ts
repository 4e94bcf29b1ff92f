import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { commitDraw, revealDraw } from "../../src/features/draw/service";
import { start } from "../../src/main";
import { FakeFeishu } from "../../src/sandbox/fakeFeishu";
import { clock, loadDemo, tempDir } from "../helpers/db";
import { FAKE, productionEnv } from "../helpers/lark";

const LEGAL = "oc_1e9a1c4a71e9a1c4a71e9a1c4a71e9a2";
const fake = new FakeFeishu({ appId: FAKE.appId, appSecret: FAKE.appSecret });
afterAll(async () => fake.close());

/** The real bot (npm start's code) on one database file, pinned to a bureau date; started again for a restart. */
async function boot(domain: string, dbFile: string, today: string) {
  return start({
    ...productionEnv(domain, dbFile),
    LARK_LEGAL_CHAT_ID: LEGAL,
    DRBOT_TODAY: today,
  });
}

/** Until nothing waits to be sent (the processing thread's outbox); bounded by time, with a wide margin. */
async function settle(s: Awaited<ReturnType<typeof boot>>) {
  for (const giveUp = Date.now() + 60_000; Date.now() < giveUp;) {
    await s.runtime.idle();
    if ((await s.db.outboxMessage.count({ where: { status: "pending" } })) === 0) return;
    await new Promise((r) => setTimeout(r, 25));
  }
}

describe("Runtime.runJobs (the scheduler's and the sandbox's entry) across a restart", () => {
  it("sends the day's digest once, not again after a restart, and nothing on a Saturday", async () => {
    const domain = await fake.listen();
    const dbFile = path.join(tempDir(), "bot.db");
    const first = await boot(domain, dbFile, "2026-12-16");
    await loadDemo(first.db);
    for (const i of await first.db.inspector.findMany()) if (i.openId) fake.addUser(i.openId, i.name);
    fake.addChat(LEGAL, "法制办", []);
    const { commitment } = await commitDraw(first.db, { taskCode: "T2026-01", orderedBy: "ou_leader" }, clock);
    await revealDraw(first.db, { drawId: commitment.drawId, witnessOpenId: "ou_witness", entropy: "1-2-3" }, clock);

    const r1 = await first.runtime.runJobs("digest");
    expect(r1.day).toBe("2026-12-16");
    await settle(first);
    expect(fake.sentTo(LEGAL)).toHaveLength(1);
    expect(fake.sentTo(LEGAL)[0]!.content).toContain("「结果未录入」");
    await first.stop();

    const again = await boot(domain, dbFile, "2026-12-16");
    const r2 = await again.runtime.runJobs("all");
    expect(r2.jobs.find((j) => j.name === "digest")).toMatchObject({ sent: [], alreadySent: 1 });
    await settle(again);
    expect(fake.sentTo(LEGAL)).toHaveLength(1);
    await again.stop();

    const saturday = await boot(domain, dbFile, "2026-12-19");
    const r3 = await saturday.runtime.runJobs("all");
    expect(r3).toMatchObject({ day: "2026-12-19", workingDay: false, ran: false, jobs: [] });
    await saturday.stop();
    expect(fake.sentTo(LEGAL)).toHaveLength(1);
  }, 180_000); // three start-ups of the bot
});
