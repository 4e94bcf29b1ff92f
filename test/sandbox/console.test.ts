import Koa from "koa";
import type { Server } from "node:http";
import { afterAll, describe, expect, it } from "vitest";
import { BureauClock } from "../../src/clock";
import { shiftDays } from "../../src/domain/calendar";
import { isLoopback } from "../../src/sandbox/access";
import { sandboxBanner } from "../../src/sandbox/banner";
import { chatConsoleRouter, OFFSET_KEY } from "../../src/sandbox/chatConsole";
import { FakeFeishu } from "../../src/sandbox/fakeFeishu";
import { SandboxStore } from "../../src/sandbox/sandboxStore";
import { freshDb, loadDemo } from "../helpers/db";

const servers: Server[] = [];
afterAll(async () => {
  for (const s of servers) await new Promise((r) => s.close(r));
});

describe("sandbox access and start-up", () => {
  it("knows loopback hosts", () => {
    for (const h of ["127.0.0.1", "127.1.2.3", "localhost", "::1", "[::1]", " LOCALHOST "])
      expect(isLoopback(h), h).toBe(true);
    for (const h of ["0.0.0.0", "::", "192.168.1.5", "10.0.0.1", "example.com", "128.0.0.1"])
      expect(isLoopback(h), h).toBe(false);
  });

  it("the banner gives the console's address (with the token off loopback) and the demo identities", async () => {
    const { db } = freshDb();
    await loadDemo(db);
    const local = await sandboxBanner(db, "127.0.0.1", 3000, null);
    expect(local).toContain("http://localhost:3000/sandbox\n");
    expect(local).toContain("李局长（领导、执法人员）");
    expect(local).toContain("钱管理（管理员）");
    const open = await sandboxBanner(db, "192.168.1.5", 3000, "tok123");
    expect(open).toContain("http://192.168.1.5:3000/sandbox?token=tok123");
    expect(open).toContain("访问令牌");
    await db.$disconnect();
  });
});

describe("模拟日期 runs the new day's jobs", () => {
  it("moves the bureau date (only it) before calling onDateMoved, and stores the offset", async () => {
    const { db } = freshDb();
    await loadDemo(db);
    const instant = new Date("2026-06-01T02:00:00Z");
    const clock = new BureauClock({ timeZone: "Asia/Shanghai", instant: () => instant });
    const seen: string[] = [];
    const fake = new FakeFeishu({ appId: "a", appSecret: "b" });
    const store = new SandboxStore(db);
    await store.attach(fake);
    const router = chatConsoleRouter({
      fake,
      db,
      store,
      clock,
      selfUrl: () => "",
      token: "t",
      appId: "a",
      groupChatId: "oc_g",
      settle: () => store.flush(),
      accessToken: null,
      onDateMoved: async () => void seen.push(clock.today()),
    });
    const app = new Koa().use(router.routes());
    const server = app.listen(0, "127.0.0.1");
    servers.push(server);
    await new Promise((r) => server.once("listening", r));
    const base = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
    const move = (days: string) =>
      fetch(`${base}/sandbox/date`, {
        method: "POST",
        redirect: "manual",
        headers: { "content-type": "application/x-www-form-urlencoded" },
        body: `as=x&days=${days}`,
      });

    expect((await move("2")).status).toBe(302);
    expect((await move("19")).headers.get("location")).toContain(encodeURIComponent(shiftDays("2026-06-01", 21)));
    expect(seen).toEqual([shiftDays("2026-06-01", 2), shiftDays("2026-06-01", 21)]);
    expect(clock.now()).toBe(instant); // the real instant never moves
    expect(await store.getState(OFFSET_KEY)).toBe("21");
    await move("0");
    expect(seen).toHaveLength(2); // a refused move runs nothing
    await db.$disconnect();
  });
});
