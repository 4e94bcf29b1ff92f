/**
 * npm run bench:push — 1,000 task cards to 1,000 inspectors through the simulated Feishu, which
 * enforces the platform's limits (5/s per user, 50/s and 1,000/min per app). Prints the total time
 * against the rate-limit floor (1,000 sends at 50/s = 20 s; goal ≤ 1.2) and the throttle errors
 * the platform returned (goal 0).
 */
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { taskCard } from "../cards/tasks";
import { enqueueMessage } from "../src/lark/outbox";
import { FakeFeishu } from "../src/sandbox/fakeFeishu";
import { openDatabase } from "../src/store/db";

const N = Number(process.env.BENCH_PUSH ?? 1000);

async function main(): Promise<void> {
  const fake = new FakeFeishu({ appId: "cli_be9c4000000000aa", appSecret: "s" });
  const domain = await fake.listen();
  const dir = mkdtempSync(path.join(tmpdir(), "drbot-push-"));
  const url = `file:${path.join(dir, "push.db")}`;
  const db = openDatabase(url);
  for (let k = 0; k < N; k++) {
    const openId = `ou_bench${String(k).padStart(6, "0")}`;
    fake.addUser(openId, `人员${k}`);
    const content = taskCard({
      assignmentId: k + 1,
      taskCode: "T2026-01",
      taskName: "2026年道路货运经营者双随机抽查",
      itemName: "道路普通货物运输经营行为的监督检查",
      basis: "《中华人民共和国道路运输条例》",
      content: "经营资质、车辆技术档案、从业人员资格",
      deadline: "2026-12-15",
      target: {
        creditCode: "91330122MA2000001X",
        name: `某某物流有限公司${k}`,
        address: "某县某路1号",
        legalRep: "张某",
        phone: "0571-88888888",
      },
      partners: ["王检查"],
      state: "assigned",
    });
    await enqueueMessage(db, { key: `task:${k}:card`, to: { openId }, msgType: "interactive", content }, new Date());
  }
  await db.$disconnect();

  const t = performance.now();
  // An async child: the simulated platform runs in this process and must keep answering.
  const status = await new Promise<number | null>((resolve) => {
    spawn(process.execPath, [path.join(__dirname, "push-worker.js"), url, domain, "cli_be9c4000000000aa", "s"], {
      stdio: "inherit",
    }).on("exit", resolve);
  });
  const seconds = (performance.now() - t) / 1000;
  await fake.close();
  rmSync(dir, { recursive: true, force: true });
  if (status !== 0) throw new Error("push worker failed");

  const floor = N / 50;
  const throttled = fake.calls.filter((c) => c.code === 230020 || c.code === 99991400).length;
  const delivered = new Set(fake.messages.map((m) => m.receive_id)).size;
  console.log(
    `bench:push  ${N} task cards to ${N} inspectors through the simulated Feishu (5/s per user, 50/s and 1000/min per app)`,
  );
  console.log(`  delivered: ${delivered} of ${N} (messages created: ${fake.messages.length})`);
  console.log(
    `  total: ${seconds.toFixed(1)} s; rate-limit floor: ${floor.toFixed(0)} s; ratio ${(seconds / floor).toFixed(2)}  (goal ≤ 1.2) ${seconds / floor <= 1.2 ? "OK" : "OVER"}`,
  );
  console.log(`  throttle errors returned by the platform: ${throttled}  (goal 0) ${throttled === 0 ? "OK" : "OVER"}`);
}

main().catch((e) => {
  console.error(e);
  process.exitCode = 1;
});
