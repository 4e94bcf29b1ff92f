import { spawn, type ChildProcess } from "node:child_process";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { enqueueMessage } from "../../src/lark/outbox";
import { projectRoot } from "../../src/paths";
import { FakeFeishu } from "../../src/sandbox/fakeFeishu";
import { openDatabase } from "../../src/store/db";
import { tempDir } from "../helpers/db";

const worker = path.join(projectRoot, "dist", "bench", "push-worker.js");
const APP = "cli_c4a5b0000000c4a5";
const N = 120;

let fake: FakeFeishu;
afterAll(async () => fake?.close());

const run = (url: string, domain: string): { child: ChildProcess; exited: Promise<number | null> } => {
  const child = spawn(process.execPath, [worker, url, domain, APP, "s"], { stdio: "ignore" });
  return { child, exited: new Promise((r) => child.on("exit", (code) => r(code))) };
};

describe("killing the sender mid-push (SIGKILL) and restarting", () => {
  it("loses nothing and posts nothing twice", async () => {
    fake = new FakeFeishu({ appId: APP, appSecret: "s" });
    const domain = await fake.listen();
    const url = `file:${path.join(tempDir(), "push.db")}`;
    const db = openDatabase(url);
    for (let k = 0; k < N; k++) {
      fake.addUser(`ou_kill${k}`, `人员${k}`);
      await enqueueMessage(
        db,
        { key: `task:${k}:card`, to: { openId: `ou_kill${k}` }, msgType: "text", content: { text: `任务 ${k}` } },
        new Date(),
      );
    }

    const first = run(url, domain);
    while (fake.messages.length < 40) await new Promise((r) => setTimeout(r, 5));
    first.child.kill("SIGKILL"); // mid-push: some sent and recorded, maybe one sent but not recorded
    await first.exited;
    const sentBeforeKill = fake.messages.length;
    expect(sentBeforeKill).toBeLessThan(N);

    const second = run(url, domain);
    expect(await second.exited).toBe(0);

    const receivers = fake.messages.map((m) => m.receive_id);
    expect(receivers).toHaveLength(N); // no duplicate posts (uuid idempotency)
    expect(new Set(receivers).size).toBe(N); // nothing lost
    expect(await db.outboxMessage.count({ where: { status: "sent" } })).toBe(N);
    const rows = await db.outboxMessage.findMany();
    for (const r of rows)
      expect(fake.messages.find((m) => m.message_id === r.sentMessageId)?.receive_id).toBe(r.receiveId);
    await db.$disconnect();
  });
});
