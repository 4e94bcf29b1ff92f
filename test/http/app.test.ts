import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { commitDraw, revealDraw } from "../../src/features/draw/service";
import { createHttpApp } from "../../src/http/app";
import { createLogger } from "../../src/logger";
import type { Db } from "../../src/store/db";
import { startSandbox } from "../helpers/sandbox";
import { clock } from "../helpers/db";

let base: string;
let db: Db;
let stop: () => Promise<void>;

beforeAll(async () => {
  ({ base, db, stop } = await startSandbox());
});
afterAll(async () => stop());

describe("npm start (sandbox)", () => {
  it("answers /healthz with 200 {status:ok} and an empty backlog", async () => {
    const r = await fetch(`${base}/healthz`);
    expect(r.status).toBe(200);
    expect(await r.json()).toEqual({ status: "ok", backlog: 0, oldestPendingSeconds: 0 });
  });

  it("loads the demo bureau and shows the plan in the console", async () => {
    const html = await (await fetch(`${base}/`)).text();
    expect(html).toContain("双随机抽查助手（沙盒）");
    expect(html).toContain("T2026-01");
    expect(html).toMatch(/检查对象 126 户/);
  });

  it("serves a revealed draw's record and refuses unknown or unrevealed ones", async () => {
    const { commitment } = await commitDraw(db, { taskCode: "T2026-01", orderedBy: "ou_leader" }, clock);
    expect((await fetch(`${base}/draws/${commitment.drawId}/record.json`)).status).toBe(409);
    await revealDraw(db, { drawId: commitment.drawId, witnessOpenId: "ou_w", entropy: "1" }, clock);
    const r = await fetch(`${base}/draws/${commitment.drawId}/record.json`);
    expect(r.status).toBe(200);
    expect(((await r.json()) as { seed: string }).seed).toMatch(/^[0-9a-f]{64}$/);
    expect((await fetch(`${base}/draws/nope/record.json`)).status).toBe(404);
    expect(await (await fetch(`${base}/`)).text()).toContain(`${commitment.drawId}：已揭示`);
  });
});

describe("/healthz when the database does not answer", () => {
  it("returns 503 naming the database", async () => {
    const broken = { $queryRaw: async () => Promise.reject(new Error("SQLITE_CANTOPEN")) } as unknown as Db;
    const app = createHttpApp({ db: broken, logger: createLogger("silent"), sandbox: true });
    const server = app.listen(0, "127.0.0.1");
    await new Promise((r) => server.once("listening", r));
    const address = server.address();
    const r = await fetch(`http://127.0.0.1:${typeof address === "object" && address ? address.port : 0}/healthz`);
    server.close();
    expect(r.status).toBe(503);
    expect(await r.json()).toEqual({ status: "db", backlog: 0, oldestPendingSeconds: 0 });
  });
});
