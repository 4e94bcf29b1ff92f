import path from "node:path";
import { Writable } from "node:stream";
import pino from "pino";
import { afterEach, describe, expect, it } from "vitest";
import { start } from "../../src/main";
import { FakeFeishu } from "../../src/sandbox/fakeFeishu";
import { keepIdleConnections } from "../helpers/botRig";
import { tempDir } from "../helpers/db";
import { FAKE } from "../helpers/lark";

/** A logger whose JSON lines the test can read. */
function capturedLogger() {
  const lines: { level: number; msg: string; [k: string]: unknown }[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _enc, done) {
      for (const l of chunk.toString("utf8").split("\n").filter(Boolean))
        lines.push(JSON.parse(l) as (typeof lines)[number]);
      done();
    },
  });
  return { logger: pino({ level: "debug" }, stream), lines };
}

async function until<T>(what: string, probe: () => Promise<T | undefined> | T | undefined, ms = 60_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = await probe();
    if (v !== undefined && v !== false) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

let cleanup: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanup.reverse()) await c();
  cleanup = [];
});

// The SDK caches tenant tokens per app id for the whole process: each start gets its own app.
let apps = 0;

async function startWs(mode: "accept" | "refuse", wsDownMs: number) {
  const appId = `cli_${(0xa7c3e5f10b2d0000 + ++apps).toString(16).slice(0, 12)}${String(apps).padStart(4, "0")}`;
  const fake = new FakeFeishu({ appId, appSecret: FAKE.appSecret });
  fake.wsEndpoint = mode;
  const domain = await fake.listen();
  const { logger, lines } = capturedLogger();
  const s = await start(
    {
      DATABASE_URL: `file:${path.join(tempDir(), "ws.db")}`,
      PORT: "0",
      HOST: "127.0.0.1",
      LOG_LEVEL: "silent",
      LARK_MODE: "ws",
      LARK_APP_ID: appId,
      LARK_APP_SECRET: FAKE.appSecret,
      LARK_DOMAIN: domain,
    },
    { logger, wsDownMs },
  );
  cleanup.push(async () => {
    await s.stop();
    await fake.close();
  });
  keepIdleConnections(s.server); // /healthz is asked again after waits that can pass Node's 5 s idle close
  const a = s.server.address();
  const base = `http://127.0.0.1:${typeof a === "object" && a ? a.port : 0}`;
  const health = async () => {
    const r = await fetch(`${base}/healthz`);
    return { status: r.status, body: (await r.json()) as { status: string } };
  };
  return { fake, lines, health };
}

describe("LARK_MODE=ws against the fake Feishu's long-connection endpoint", () => {
  it("connects when the endpoint accepts: logged, /healthz 200, and a dropped connection is logged and re-established", async () => {
    const { fake, lines, health } = await startWs("accept", 60_000);
    await until(
      "the connection",
      () => fake.wsSockets.size === 1 && lines.some((l) => l.msg === "long connection established"),
    );
    expect(await health()).toEqual({ status: 200, body: { status: "ok", backlog: 0, oldestPendingSeconds: 0 } });

    fake.dropWs();
    await until("the reconnect to be logged", () =>
      lines.some((l) => l.msg === "long connection lost; reconnecting" && l.level === 40),
    );
    await until(
      "the connection to come back",
      () => fake.wsSockets.size === 1 && lines.some((l) => l.msg === "long connection re-established"),
    );
    expect((await health()).status).toBe(200);
  });

  it("logs every refusal and answers 503 ws once the connection has been down longer than the window", async () => {
    const { lines, health } = await startWs("refuse", 400);
    // The refusal is logged at warn (the SDK's own line and ours), not swallowed at debug.
    await until("the refusal in the log", () =>
      lines.some(
        (l) => l.level >= 40 && /long connection/.test(l.msg) && /403|not enabled|gave up/.test(JSON.stringify(l)),
      ),
    );
    const down = await until("503 ws", async () => {
      const h = await health();
      return h.status === 503 ? h : undefined;
    });
    expect(down.body).toEqual({ status: "ws", backlog: 0, oldestPendingSeconds: 0 });
  });
});
