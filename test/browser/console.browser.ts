/**
 * `npm run test:browser`: the sandbox console in a real headless Chromium (Debian's `chromium`,
 * never a downloaded browser), driven by clicking through the main loop at desktop and phone width.
 * The sandbox runs as `npm start` runs it: `node dist/src/main.js` in a child process, on a free port,
 * with a temporary database. Screenshots go to .tmp/screenshots/. Any console error in the page fails.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { chromium, type Browser, type Page } from "playwright-core";
import { demoCsv } from "../../src/demo/data";
import { shiftDays } from "../../src/domain/calendar";

const ROOT = path.resolve(__dirname, "../..");
const SHOTS = path.join(ROOT, ".tmp/screenshots");
const TIMEOUT = 20_000;
const t0 = Date.now();

function chromiumPath(): string {
  const candidates = [process.env["CHROMIUM_PATH"], "/usr/bin/chromium", "/usr/bin/chromium-browser"].filter(
    (p): p is string => Boolean(p),
  );
  const found = candidates.find((p) => existsSync(p));
  if (!found) throw new Error("找不到 chromium：请先 apt-get install -y chromium（或设置 CHROMIUM_PATH）");
  return found;
}

/** The sandbox as `npm start` starts it; resolves with its console URL once the start-up banner prints it. */
async function startSandbox(
  dir: string,
): Promise<{ base: string; child: ChildProcess; db: string; output: () => string }> {
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    PORT: "0",
    HOST: "127.0.0.1",
    DATABASE_URL: `file:${path.join(dir, "sandbox.db")}`,
    LOG_LEVEL: "warn",
    DRBOT_TODAY: "2026-06-01",
  };
  for (const k of ["LARK_APP_ID", "LARK_APP_SECRET", "LARK_ENCRYPT_KEY", "LARK_VERIFICATION_TOKEN", "NODE_OPTIONS"])
    delete env[k];
  const child = spawn(process.execPath, [path.join(ROOT, "dist/src/main.js")], {
    cwd: dir,
    env,
    stdio: ["ignore", "pipe", "pipe"],
  });
  let out = "";
  child.stdout!.on("data", (c: Buffer) => (out += c.toString("utf8")));
  const base = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`sandbox did not start:\n${out}`)), 60_000);
    child.stderr!.on("data", (c: Buffer) => {
      out += c.toString("utf8");
      const m = /http:\/\/localhost:(\d+)\/sandbox/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve(`http://127.0.0.1:${m[1]}`);
      }
    });
    child.once("exit", (code) => reject(new Error(`sandbox exited ${code}:\n${out}`)));
  });
  if (!/示例人员/.test(out) || !/李局长（领导、执法人员）/.test(out))
    throw new Error(`the start-up banner lists no demo identities:\n${out}`);
  return { base, child, db: path.join(dir, "sandbox.db"), output: () => out };
}

function check(ok: unknown, what: string): asserts ok {
  if (!ok) throw new Error(`✗ ${what}`);
  console.log(`  ✓ ${what} [${((Date.now() - t0) / 1000).toFixed(1)}s]`);
}

type Sandbox = Awaited<ReturnType<typeof startSandbox>>;
const stopSandbox = async (s: Sandbox) => {
  if (s.child.exitCode !== null) return;
  s.child.kill("SIGTERM");
  await new Promise((r) => s.child.once("exit", r));
};

/** The main loop by clicking; returns where it ended (identity, message count, bureau date) for the restart check. */
async function walk(
  browser: Browser,
  width: number,
  sandbox: Sandbox,
  reset: boolean,
): Promise<{ who: string; messages: number; date: string }> {
  const label = width >= 720 ? "desktop" : "phone";
  console.log(`— ${width} px (${label})`);
  const dir = path.dirname(sandbox.db);
  const context = await browser.newContext({
    viewport: { width, height: width >= 720 ? 900 : 780 },
    deviceScaleFactor: 1,
    locale: "zh-CN",
    acceptDownloads: true,
  });
  const page = await context.newPage();
  page.setDefaultTimeout(TIMEOUT);
  const errors: string[] = [];
  page.on("console", (m) => m.type() === "error" && errors.push(m.text()));
  page.on("pageerror", (e) => errors.push(e.message));
  page.on("dialog", (d) => void d.accept()); // Feishu's confirm dialogs: the person says yes
  let n = 0;
  const shot = (name: string) =>
    page.screenshot({
      path: path.join(SHOTS, `${width}-${String(++n).padStart(2, "0")}-${name}.png`),
      fullPage: width < 720,
    });
  const as = async (name: string) => {
    const value = await page.locator("#as option", { hasText: name }).first().getAttribute("value");
    await Promise.all([page.waitForURL(`**/sandbox?as=${value}`), page.selectOption("#as", value!)]);
  };
  const say = async (pane: "group" | "p2p", text: string) => {
    await page.locator(`#${pane} .composer input[name=text]`).fill(text);
    await Promise.all([
      page.waitForURL(/\/sandbox\?as=/),
      page.locator(`#${pane} .composer`).getByRole("button", { name: "发送", exact: true }).click(),
    ]);
  };
  const card = (pane: "group" | "p2p", title: string | RegExp) =>
    page
      .locator(`#${pane} .card`)
      .filter({ has: page.locator(".title", { hasText: title }) })
      .last();
  const click = async (locator: ReturnType<Page["locator"]>) =>
    Promise.all([page.waitForURL(/\/sandbox\?as=/), locator.click()]);
  const progress = async () => {
    await say("group", "进度 T2026-01");
    return (await card("group", "抽查进度").innerText()).replace(/\s+/g, " ");
  };

  try {
    // The registers page, then the chat console, both fit the width.
    await page.goto(`${sandbox.base}/`);
    check(
      Number(await page.evaluate("document.documentElement.scrollWidth - window.innerWidth")) <= 1,
      `registers page fits ${width} px`,
    );
    await page.goto(`${sandbox.base}/sandbox`);
    check(
      (await page.locator('meta[name="viewport"]').getAttribute("content")) === "width=device-width, initial-scale=1",
      "viewport meta tag",
    );
    const overflow = Number(await page.evaluate("document.documentElement.scrollWidth - window.innerWidth"));
    check(overflow <= 1, `no horizontal scrolling at ${width} px (overflow ${overflow})`);

    if (reset) {
      // 「重置演示数据」 gives the demo bureau back: no draw, no chat, today's date.
      await click(page.getByRole("button", { name: "重置演示数据" }));
      check((await page.locator(".toast").innerText()).includes("已恢复演示数据"), "重置演示数据 answered");
      check((await page.locator(".msg").count()) === 0, "after the reset both chats are empty");
      check(
        !(await page.locator("#today + .note").innerText()).includes("+"),
        "after the reset 模拟日期 is back to today",
      );
    }

    // 1. The leader @s the bot with 抽取.
    await as("李局长");
    await say("group", "抽取 T2026-01");
    check(await card("group", "抽取承诺 · T2026-01").isVisible(), "1 leader: 抽取 posts the commitment card");
    await shot("commitment");

    // 2. A witness confirms on the card.
    await as("赵法制");
    const commitment = card("group", "抽取承诺 · T2026-01");
    await commitment.locator("input[name=f_entropy]").fill("3-1-4-1-5");
    await click(commitment.getByRole("button", { name: "见证并确认抽取" }));
    check(
      (await page.locator(".toast").innerText()).includes("抽取完成"),
      "2 witness: confirmation answered with 抽取完成",
    );

    // 3. The announcement is in the group.
    const announcement = card("group", "双随机抽查结果公告 · T2026-01");
    await announcement.scrollIntoViewIfNeeded();
    check(await announcement.isVisible(), "3 the announcement is in the group");
    check(
      await page.locator("#group a", { hasText: "抽取记录-T2026-01-1.json" }).isVisible(),
      "3 the draw record arrives as a file",
    );
    await shot("announcement");
    const before = await progress();
    check(/已确认 0/.test(before), `progress before: ${before}`);

    // 4. An inspector who was drawn accepts (find one through the identity switch).
    const options = await page.locator("#as option").evaluateAll((os) => os.map((o) => o.textContent ?? ""));
    let inspector = "";
    for (const o of options.filter((x) => x.includes("执法人员"))) {
      await as(o);
      if ((await card("p2p", /^检查任务 · T2026-01$/).count()) > 0) {
        inspector = o;
        break;
      }
    }
    check(inspector, `4 a drawn inspector has a task card: ${inspector}`);
    await click(card("p2p", "检查任务 · T2026-01").getByRole("button", { name: "接受任务" }));
    check((await page.locator(".toast").innerText()).includes("已接受"), "4 inspector accepted the task");

    // 5. The result through the card's form.
    const task = card("p2p", "检查任务 · T2026-01（已接受）");
    const today = (await page.locator("#today").innerText()).trim();
    await task.locator("input[name=f_inspection_date]").fill(today);
    await task.locator("select[name=f_category]").selectOption({ index: 1 });
    await task.locator("input[name=f_remark]").fill("浏览器测试");
    await shot("result-form");
    await click(task.getByRole("button", { name: "提交检查结果" }));
    check((await page.locator(".toast").innerText()).includes("检查结果已提交"), "5 result submitted through the form");

    // 6. The partner confirms.
    let partner = "";
    for (const o of options.filter((x) => x.includes("执法人员") && x !== inspector)) {
      await as(o);
      if ((await card("p2p", "检查结果 · 请同组确认").count()) > 0) {
        partner = o;
        break;
      }
    }
    check(partner, `6 the partner has the confirmation card: ${partner}`);
    await click(card("p2p", "检查结果 · 请同组确认").getByRole("button", { name: "确认无误" }));
    check((await page.locator(".toast").innerText()).includes("已确认"), "6 partner confirmed");
    await shot("confirmed");

    // 7. 进度 changed.
    const after = await progress();
    check(/已确认 1/.test(after) && after !== before, `7 progress after: ${after}`);
    await shot("progress");

    // 8. The administrator sends a targets file privately and sees the import summary.
    await as("钱管理");
    const file = path.join(dir, "检查对象名录.csv");
    const lines = demoCsv().targets.split("\n");
    lines[1] = lines[1]!.replace(/0571-8(\d)/, (_m, d: string) => `0571-9${d}`); // one target's phone changed
    writeFileSync(file, lines.join("\n"), "utf8");
    await page.locator("#p2p input[type=file]").setInputFiles(file);
    await click(page.locator("#p2p .composer").getByRole("button", { name: "发送文件" }));
    const summary = card("p2p", "导入完成");
    const summaryText = await summary.innerText();
    check(
      summaryText.includes("检查对象名录.csv") && /更新 1/.test(summaryText),
      `8 admin: the import summary: ${summaryText.replace(/\s+/g, " ")}`,
    );
    check(
      await page.locator("#p2p .msg.me a", { hasText: "检查对象名录.csv" }).isVisible(),
      "8 the sent file is in the chat",
    );
    await shot("import");

    // 9. 模拟日期 moves the bureau date; the new day's jobs run.
    await page.locator("input[name=days]").fill("21");
    await click(page.getByRole("button", { name: "前进" }));
    const moved = (await page.locator("#today").innerText()).trim();
    check(moved === shiftDays(today, 21), `9 模拟日期 moved 21 days: ${today} → ${moved}`);
    // TODO(integrator): main.ts wires onDateMoved to runtime.runJobs("all") once the deadlines branch
    // is merged; this then asserts a reminder. Until then only the date display is checked. The date
    // goes past T2026-01's 结束日期 (2026-12-15), so every drawn inspector without a result is reminded.
    if (/^\s*onDateMoved:/m.test(readFileSync(path.join(ROOT, "src/main.ts"), "utf8"))) {
      const days = Math.round((Date.parse("2026-12-16") - Date.parse(moved)) / 86_400_000);
      await page.locator("input[name=days]").fill(String(days));
      await click(page.getByRole("button", { name: "前进" }));
      check(
        (await page.locator("#today").innerText()).trim() === "2026-12-16",
        "9 模拟日期 moved past the task's end date",
      );
      let reminded = "";
      for (const o of options.filter((x) => x.includes("执法人员") && x !== inspector && x !== partner)) {
        await as(o);
        if (
          (await page
            .locator("#p2p .card")
            .filter({ hasText: /提醒|逾期|未录入/ })
            .count()) > 0
        ) {
          reminded = o;
          break;
        }
      }
      check(reminded, `9 a reminder arrived after the date move: ${reminded}`);
    } else console.log("  … 9 reminder assertion skipped: runJobs is not wired to onDateMoved yet");
    await shot("date-moved");

    const result = {
      who: new URL(page.url()).searchParams.get("as") ?? "",
      messages: await page.locator(".msg").count(),
      date: (await page.locator("#today").innerText()).trim(),
    };
    check(errors.length === 0, `no console errors in the page${errors.length ? `: ${errors.join(" | ")}` : ""}`);
    return result;
  } catch (e) {
    await shot("failure").catch(() => undefined);
    console.error(sandbox.output().slice(-4000));
    throw e;
  } finally {
    await context.close();
  }
}

/** The chat and the 模拟日期 are still there after a restart (persisted with the sandbox database). */
async function afterRestart(
  browser: Browser,
  sandbox: Sandbox,
  before: { who: string; messages: number; date: string },
): Promise<void> {
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  const errors: string[] = [];
  page.on("console", (m) => m.type() === "error" && errors.push(m.text()));
  try {
    await page.goto(`${sandbox.base}/sandbox?as=${encodeURIComponent(before.who)}`);
    check(
      (await page.locator(".msg").count()) === before.messages,
      `after a restart the chats hold the same ${before.messages} messages`,
    );
    check((await page.locator("#today").innerText()).trim() === before.date, "after a restart 模拟日期 is kept");
    check(errors.length === 0, "no console errors after the restart");
  } finally {
    await page.close();
  }
}

async function main(): Promise<void> {
  rmSync(SHOTS, { recursive: true, force: true });
  mkdirSync(SHOTS, { recursive: true });
  const dir = mkdtempSync(path.join(tmpdir(), "drbot-browser-"));
  const browser = await chromium.launch({ executablePath: chromiumPath(), headless: true, args: ["--no-sandbox"] });
  let sandbox = await startSandbox(dir);
  try {
    const desktop = await walk(browser, 1280, sandbox, false);
    await stopSandbox(sandbox);
    sandbox = await startSandbox(dir);
    await afterRestart(browser, sandbox, desktop);
    await walk(browser, 360, sandbox, true);
  } finally {
    await browser.close();
    await stopSandbox(sandbox);
    rmSync(dir, { recursive: true, force: true });
  }
  console.log(
    `browser test passed in ${((Date.now() - t0) / 1000).toFixed(0)} s; screenshots in ${path.relative(ROOT, SHOTS)}/`,
  );
}

main().catch((e: unknown) => {
  console.error(e instanceof Error ? e.message : e);
  process.exit(1);
});
