import { spawnSync } from "node:child_process";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { assertServerConfig, loadConfig } from "../src/config";
import { projectRoot } from "../src/paths";

const fails = (env: NodeJS.ProcessEnv, check = false): string => {
  try {
    const c = loadConfig(env);
    if (check) assertServerConfig(c);
  } catch (e) {
    return (e as Error).message;
  }
  throw new Error("expected a configuration error");
};

describe("configuration (one zod schema)", () => {
  it("defaults to the sandbox, on loopback, with its own SQLite file in ./data", () => {
    const c = loadConfig({});
    expect(c).toMatchObject({
      sandbox: true,
      LARK_MODE: "webhook",
      DATABASE_URL: "file:./data/sandbox.db",
      PORT: 3000,
      HOST: "127.0.0.1",
      TZ_BUREAU: "Asia/Shanghai",
      LOG_LEVEL: "info",
      larkDomain: "https://open.feishu.cn",
      PUBLICITY_WORKING_DAYS: 20,
    });
    expect(loadConfig({ HOST: "0.0.0.0" }).HOST).toBe("0.0.0.0");
  });

  it("production defaults: every interface and ./data/bot.db (never the sandbox's file)", () => {
    const c = loadConfig({ LARK_APP_ID: "cli_a7c3e5f10b2d4968", LARK_APP_SECRET: "s" });
    expect(c).toMatchObject({ sandbox: false, DATABASE_URL: "file:./data/bot.db", HOST: "0.0.0.0" });
    expect(
      loadConfig({
        LARK_APP_ID: "cli_a7c3e5f10b2d4968",
        LARK_APP_SECRET: "s",
        DATABASE_URL: "file:/tmp/x.db",
        HOST: "127.0.0.1",
      }),
    ).toMatchObject({ DATABASE_URL: "file:/tmp/x.db", HOST: "127.0.0.1" });
  });

  it("an empty LARK_APP_ID= is a configuration error, never the sandbox", () => {
    expect(fails({ LARK_APP_ID: "" })).toMatch(/LARK_APP_ID: 已设置但为空/);
    expect(fails({ LARK_APP_ID: "  ", LARK_APP_SECRET: "s" })).toMatch(/LARK_APP_ID/);
  });

  it("maps feishu/lark domains and splits admin open_ids", () => {
    expect(loadConfig({ LARK_DOMAIN: "lark" }).larkDomain).toBe("https://open.larksuite.com");
    expect(loadConfig({ LARK_DOMAIN: "http://127.0.0.1:9999/" }).larkDomain).toBe("http://127.0.0.1:9999");
    expect(loadConfig({ BOT_ADMIN_OPEN_IDS: "ou_a, ou_b，ou_c" }).BOT_ADMIN_OPEN_IDS).toEqual(["ou_a", "ou_b", "ou_c"]);
  });

  it("names the variable in Chinese and English for each bad value", () => {
    expect(fails({ LARK_MODE: "poll" })).toMatch(/配置错误 \/ invalid configuration:\nLARK_MODE:/);
    expect(fails({ PORT: "eighty" })).toMatch(/PORT:/);
    expect(fails({ TZ_BUREAU: "Mars/Olympus" })).toMatch(/TZ_BUREAU: 不是有效的时区名 \/ not a valid IANA time zone/);
    expect(fails({ LOG_LEVEL: "loud" })).toMatch(/LOG_LEVEL:/);
    expect(fails({ DATABASE_URL: "postgresql://db/x" })).toMatch(/DATABASE_URL: .*暂不支持/);
    expect(fails({ LARK_APP_ID: "cli_a7c3e5f10b2d4968" })).toMatch(
      /LARK_APP_SECRET: LARK_APP_ID 与 LARK_APP_SECRET 须同时设置/,
    );
  });

  it("webhook mode with credentials needs an encrypt key or a verification token", () => {
    const creds = { LARK_APP_ID: "cli_a7c3e5f10b2d4968", LARK_APP_SECRET: "s" };
    expect(fails(creds, true)).toMatch(/LARK_ENCRYPT_KEY \/ LARK_VERIFICATION_TOKEN/);
    expect(() => assertServerConfig(loadConfig({ ...creds, LARK_VERIFICATION_TOKEN: "t" }))).not.toThrow();
    expect(() => assertServerConfig(loadConfig({ ...creds, LARK_MODE: "ws" }))).not.toThrow();
  });

  it("npm start's entry exits 1 with the message on a bad value", () => {
    const r = spawnSync(process.execPath, [path.join(projectRoot, "dist", "src", "main.js")], {
      env: { ...process.env, LARK_MODE: "poll" },
      encoding: "utf8",
    });
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/LARK_MODE/);
  });

  it("npm start's entry exits 1 on an empty LARK_APP_ID= instead of starting the sandbox", () => {
    const r = spawnSync(process.execPath, [path.join(projectRoot, "dist", "src", "main.js")], {
      env: { ...process.env, LARK_APP_ID: "", PORT: "0", HOST: "127.0.0.1" },
      encoding: "utf8",
      timeout: 90_000, // a cold start on a loaded machine; only a bot that wrongly keeps running reaches it
    });
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/LARK_APP_ID: 已设置但为空/);
    expect(r.stdout).not.toMatch(/沙盒已启动/);
  });
});
