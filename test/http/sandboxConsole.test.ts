import { afterAll, describe, expect, it } from "vitest";
import { DEMO_OPEN_IDS, demoCsv } from "../../src/demo/data";
import { shiftDays } from "../../src/domain/calendar";
import { startSandbox } from "../helpers/sandbox";

const TODAY = "2026-06-01"; // the bureau date the sandboxes here are pinned to (DRBOT_TODAY)
const running: (() => Promise<void>)[] = [];
afterAll(async () => {
  for (const stop of running.reverse()) await stop().catch(() => undefined);
});

async function sandbox(opts: Parameters<typeof startSandbox>[0] = {}) {
  const s = await startSandbox({ ...opts, env: { DRBOT_TODAY: TODAY, ...opts.env } });
  let stopped = false;
  const stop = async () => {
    if (stopped) return;
    stopped = true;
    await s.stop();
  };
  running.push(stop);
  const submit = (path: string, fields: Record<string, string>) =>
    fetch(`${s.base}${path}`, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams(fields).toString(),
    });
  const upload = (as: string, where: "group" | "p2p", name: string, bytes: Buffer | string) => {
    const fd = new FormData();
    fd.set("as", as);
    fd.set("where", where);
    fd.set("file", new Blob([bytes]), name);
    return fetch(`${s.base}/sandbox/upload`, { method: "POST", body: fd });
  };
  const page = async (as: string) => (await fetch(`${s.base}/sandbox?as=${as}`)).text();
  return { ...s, stop, submit, upload, page };
}

const messageCount = (html: string) => (html.match(/class="msg[ "]/g) ?? []).length;
const todayShown = (html: string) => /<b id="today">([^<]+)<\/b>/.exec(html)?.[1];

describe("sandbox console: history, files, 模拟日期, reset", () => {
  it("keeps the whole chat and the 模拟日期 across a restart, with no message limit", async () => {
    const first = await sandbox();
    const afterHelp = await (
      await first.submit("/sandbox/say", { as: DEMO_OPEN_IDS.leader, where: "p2p", text: "帮助" })
    ).text();
    expect(afterHelp).toMatch(/class="msg me"[^]*帮助/); // the person's own message is in the chat
    // Forty more messages in the group, as a long training session leaves them.
    for (let i = 1; i <= 40; i++) {
      await first.db.sandboxMessage.create({
        data: {
          messageId: `om_history_${String(i).padStart(3, "0")}`,
          chatId: "oc_5a4db0c0de0000000000000000000001",
          receiveId: "oc_5a4db0c0de0000000000000000000001",
          receiveIdType: "chat_id",
          senderOpenId: DEMO_OPEN_IDS.inspectorA,
          msgType: "text",
          content: JSON.stringify({ text: `历史消息${i}号` }),
          createTime: BigInt(1000 + i),
        },
      });
    }
    const moved = await (await first.submit("/sandbox/date", { as: DEMO_OPEN_IDS.leader, days: "3" })).text();
    expect(todayShown(moved)).toBe(shiftDays(TODAY, 3));
    const before = await first.page(DEMO_OPEN_IDS.leader);
    await first.stop();

    const second = await sandbox({ dbFile: first.dbFile });
    const after = await second.page(DEMO_OPEN_IDS.leader);
    for (let i = 1; i <= 40; i++) expect(after).toContain(`历史消息${i}号`);
    expect(messageCount(after)).toBe(messageCount(before) + 40);
    expect(after).toContain("帮助");
    expect(todayShown(after)).toBe(shiftDays(TODAY, 3));
    // New messages after the restart get new ids (nothing overwritten).
    const more = await (
      await second.submit("/sandbox/say", { as: DEMO_OPEN_IDS.leader, where: "p2p", text: "帮助" })
    ).text();
    expect(messageCount(more)).toBe(messageCount(after) + 2);
    expect(await second.db.sandboxMessage.count()).toBe(messageCount(more));
  }, 180_000); // two sandbox start-ups

  it("a file sent as the administrator is downloaded by the bot and imported; others are refused; templates download", async () => {
    const s = await sandbox();
    const lines = demoCsv().targets.split("\n");
    lines[1] = lines[1]!.replace(/0571-8(\d)/, (_m, d: string) => `0571-9${d}`);
    const html = await (await s.upload(DEMO_OPEN_IDS.admin, "p2p", "检查对象名录.csv", lines.join("\n"))).text();
    expect(html).toContain("检查对象名录库导入完成");
    expect(html).toMatch(/共 126 行：新增 0，更新 1，未变 125/);
    expect(html).toMatch(/<div class="msg me"[^>]*>.*检查对象名录\.csv/);
    expect(await s.db.targetRevision.count()).toBeGreaterThan(0);

    const refused = await (await s.upload(DEMO_OPEN_IDS.inspectorA, "p2p", "名录.csv", lines.join("\n"))).text();
    expect(refused).toContain("导入名录仅限管理员使用");
    const empty = await (await s.upload(DEMO_OPEN_IDS.admin, "p2p", "", "")).text();
    expect(empty).toContain("请先选择要发送的文件");

    // The file a person sent downloads back from the console.
    const link = /href="(\/sandbox\/file\/om_[^"]+)">检查对象名录\.csv/.exec(html);
    expect(link).not.toBeNull();
    expect(await (await fetch(`${s.base}${link![1]}`)).text()).toBe(lines.join("\n"));

    const template = await fetch(`${s.base}/sandbox/template/targets`);
    expect(template.status).toBe(200);
    expect(
      Buffer.from(await template.arrayBuffer())
        .subarray(0, 2)
        .toString(),
    ).toBe("PK"); // an .xlsx (zip)
    expect((await fetch(`${s.base}/sandbox/template/nothing`)).status).toBe(404);
    expect(html).toContain('href="/sandbox/template/plan"');
  });

  it("模拟日期 moves only forward by whole days; 重置演示数据 restores the demo bureau", async () => {
    const s = await sandbox();
    expect(todayShown(await (await s.submit("/sandbox/date", { as: DEMO_OPEN_IDS.leader, days: "0" })).text())).toBe(
      TODAY,
    );
    expect(todayShown(await (await s.submit("/sandbox/date", { as: DEMO_OPEN_IDS.leader, days: "-2" })).text())).toBe(
      TODAY,
    );
    expect(todayShown(await (await s.submit("/sandbox/date", { as: DEMO_OPEN_IDS.leader, days: "1.5" })).text())).toBe(
      TODAY,
    );
    expect(todayShown(await (await s.submit("/sandbox/date", { as: DEMO_OPEN_IDS.leader, days: "21" })).text())).toBe(
      shiftDays(TODAY, 21),
    );

    await s.submit("/sandbox/say", { as: DEMO_OPEN_IDS.leader, where: "group", text: "抽取 T2026-01" });
    expect(await s.db.draw.count()).toBe(1);
    const targets = await s.db.target.count();
    const reset = await (await s.submit("/sandbox/reset", { as: DEMO_OPEN_IDS.leader })).text();
    expect(reset).toContain("已恢复演示数据");
    expect(messageCount(reset)).toBe(0);
    expect(todayShown(reset)).toBe(TODAY);
    expect(await s.db.draw.count()).toBe(0);
    expect(await s.db.sandboxMessage.count()).toBe(0);
    expect(await s.db.target.count()).toBe(targets);
    // The audit log emptied with the rest, and still append-only afterwards.
    expect(await s.db.auditLog.count({ where: { action: { startsWith: "draw" } } })).toBe(0);
    const audit = await s.db.auditLog.findFirstOrThrow(); // the reloaded demo's own imports
    await expect(s.db.$executeRawUnsafe(`DELETE FROM "AuditLog" WHERE "seq" = ${audit.seq}`)).rejects.toThrow(
      /append-only/,
    );
    // The bureau works again after the reset: a new draw.
    const again = await (
      await s.submit("/sandbox/say", { as: DEMO_OPEN_IDS.leader, where: "group", text: "抽取 T2026-01" })
    ).text();
    expect(again).toContain("抽取承诺 · T2026-01");
  });
});

describe("sandbox console off loopback (spec §2)", () => {
  it("requires the start-up token; a cookie keeps it; nothing is sent without it", async () => {
    const s = await sandbox({ env: { HOST: "0.0.0.0" } });
    expect(s.accessToken).toMatch(/^[A-Za-z0-9_-]{20,}$/);
    const none = await fetch(`${s.base}/sandbox`);
    expect(none.status).toBe(401);
    expect(await none.text()).toContain("需要访问令牌");
    // A wrong token: the real one with its last character changed (never to itself).
    const wrong = s.accessToken!.slice(0, -1) + (s.accessToken!.endsWith("x") ? "y" : "x");
    expect((await fetch(`${s.base}/sandbox?token=${wrong}`)).status).toBe(401);
    expect((await fetch(`${s.base}/sandbox/template/targets`)).status).toBe(401);

    const said = await fetch(`${s.base}/sandbox/say`, {
      method: "POST",
      redirect: "manual",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({ as: DEMO_OPEN_IDS.leader, where: "group", text: "抽取 T2026-01" }).toString(),
    });
    expect(said.status).toBe(401);
    expect(await s.db.inboxEvent.count()).toBe(0);
    expect(await s.db.sandboxMessage.count()).toBe(0);

    const ok = await fetch(`${s.base}/sandbox?token=${s.accessToken}`);
    expect(ok.status).toBe(200);
    const cookie = (ok.headers.get("set-cookie") ?? "").split(";")[0]!;
    expect(ok.headers.get("set-cookie")).toMatch(/httponly/i);
    expect((await fetch(`${s.base}/sandbox`, { headers: { cookie } })).status).toBe(200);
    const withCookie = await fetch(`${s.base}/sandbox/say`, {
      method: "POST",
      redirect: "manual",
      headers: { cookie, "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({ as: DEMO_OPEN_IDS.leader, where: "group", text: "帮助" }).toString(),
    });
    expect(withCookie.status).toBe(302);
    expect(await s.db.inboxEvent.count()).toBe(1);
    expect((await fetch(`${s.base}/healthz`)).status).toBe(200); // health stays open
  });

  it("on loopback there is no token", async () => {
    const s = await sandbox({ env: { HOST: "127.0.0.1" } });
    expect(s.accessToken).toBeNull();
    expect((await fetch(`${s.base}/sandbox`)).status).toBe(200);
  });
});
