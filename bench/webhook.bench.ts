/**
 * npm run bench:webhook — Feishu-style events (AES-encrypted, signed over the raw body) at 200/s
 * against the real server (npm start's code), while the inbox worker processes them and the outbox
 * answers through the simulated Feishu. Prints ack latency percentiles (goal: p99 ≤ 50 ms).
 */
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { createCipheriv, createHash, randomBytes } from "node:crypto";
import { DEMO_IMPORT_ORDER, demoCsv } from "../src/demo/data";
import { importFile } from "../src/features/imports/importer";
import { signatureOf } from "../src/lark/crypto";
import { start } from "../src/main";

const RATE = 200;
const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const APP = { appId: "cli_be9c4000000000bb", secret: "s", key: "bench-encrypt-key", token: "bench-token" };

function encrypt(plain: string): string {
  const iv = randomBytes(16);
  const c = createCipheriv("aes-256-cbc", createHash("sha256").update(APP.key).digest(), iv);
  return JSON.stringify({ encrypt: Buffer.concat([iv, c.update(plain, "utf8"), c.final()]).toString("base64") });
}

async function main(): Promise<void> {
  // Users of the demo roster, known before the simulated Feishu starts in its own process.
  const csv = demoCsv();
  const users = [...csv.inspectors.matchAll(/ou_[0-9a-f]{32}/g)].map((m) => m[0]);
  const fakeProcess = spawn(process.execPath, [path.join(__dirname, "fake-feishu-process.js"), JSON.stringify({ appId: APP.appId, appSecret: APP.secret, users, chats: users.map((u) => [`oc_p2p_${u}`, [u]]) })]);
  const domain = await new Promise<string>((resolve) => fakeProcess.stdout.once("data", (d: Buffer) => resolve(d.toString().trim())));
  const dir = mkdtempSync(path.join(tmpdir(), "drbot-webhook-"));
  const server = await start({ DATABASE_URL: `file:${path.join(dir, "w.db")}`, PORT: "0", HOST: "127.0.0.1", LOG_LEVEL: "silent", LARK_APP_ID: APP.appId, LARK_APP_SECRET: APP.secret, LARK_ENCRYPT_KEY: APP.key, LARK_VERIFICATION_TOKEN: APP.token, LARK_DOMAIN: domain });
  for (const kind of DEMO_IMPORT_ORDER) await importFile(server.db, Buffer.from(csv[kind]), `${kind}.csv`, { kind, actor: "bench", at: new Date(), directory: null });

  // Pre-sign every request (a fresh timestamp each), so the load process only sends.
  const now = Math.floor(Date.now() / 1000);
  const requests = Array.from({ length: RATE * SECONDS }, (_, k) => {
    const sender = users[k % users.length]!;
    const body = encrypt(
      JSON.stringify({
        schema: "2.0",
        header: { event_id: `bench-${k}`, event_type: "im.message.receive_v1", create_time: String(Date.now()), token: APP.token, app_id: APP.appId, tenant_key: "t" },
        event: {
          sender: { sender_id: { open_id: sender }, sender_type: "user" },
          message: { message_id: `om_bench_${k}`, chat_id: `oc_p2p_${sender}`, chat_type: "p2p", message_type: "text", content: JSON.stringify({ text: k % 2 ? "进度" : "帮助" }) },
        },
      }),
    );
    const nonce = randomBytes(4).toString("hex");
    const headers = { "content-type": "application/json", "x-lark-request-timestamp": String(now), "x-lark-request-nonce": nonce, "x-lark-signature": signatureOf(String(now), nonce, APP.key, Buffer.from(body)) };
    return { body, headers };
  });
  const file = path.join(dir, "requests.json");
  writeFileSync(file, JSON.stringify(requests));
  const address = server.server.address();
  const url = `http://127.0.0.1:${typeof address === "object" && address ? address.port : 0}/lark/events`;

  let out = "";
  const child = spawn(process.execPath, [path.join(__dirname, "webhook-load.js"), file, url, String(RATE)]);
  child.stdout.on("data", (d: Buffer) => (out += d.toString()));
  await new Promise((r) => child.on("exit", r));
  const { latencies, statuses, errors, seconds } = JSON.parse(out) as { latencies: number[]; statuses: Record<string, number>; errors: string[]; seconds: number };
  const stored = await server.db.inboxEvent.count();
  const processed = await server.db.inboxEvent.count({ where: { status: "done" } });
  await new Promise<void>((r) => server.server.close(() => r()));
  fakeProcess.kill();

  const sorted = [...latencies].sort((a, b) => a - b);
  const pct = (p: number) => sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
  console.log(`bench:webhook  ${requests.length} encrypted, signed events at ${RATE}/s over ${seconds.toFixed(1)} s (worker processing concurrently)`);
  console.log(`  responses: ${JSON.stringify(statuses)}; client-side errors: ${errors.length}${errors.length ? ` (${[...new Set(errors)].join("; ")})` : ""}; stored in the inbox: ${stored}; processed by the end: ${processed} (the rest is processed after the burst)`);
  console.log(`  ack latency: p50 ${pct(50).toFixed(1)} ms, p90 ${pct(90).toFixed(1)} ms, p99 ${pct(99).toFixed(1)} ms, max ${sorted.at(-1)!.toFixed(1)} ms  (goal p99 ≤ 50 ms) ${pct(99) <= 50 ? "OK" : "OVER"}`);
  rmSync(dir, { recursive: true, force: true });
  process.exit(0);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
