import { writeFileSync } from "node:fs";
import path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { drbot } from "../helpers/cli";
import { DEMO_IMPORT_ORDER, demoCsv } from "../../src/demo/data";
import { tempDir } from "../helpers/db";

let env: NodeJS.ProcessEnv;
beforeAll(async () => {
  const dir = tempDir();
  env = { DATABASE_URL: `file:${path.join(dir, "flags.db")}` };
  const csv = demoCsv();
  for (const kind of DEMO_IMPORT_ORDER) {
    writeFileSync(path.join(dir, `${kind}.csv`), csv[kind]);
    expect((await drbot(["import", kind, path.join(dir, `${kind}.csv`)], env)).code).toBe(0);
  }
});

describe("drbot arguments", () => {
  it("--help exits 0 with the usage; a bare drbot is a usage error (exit 1)", async () => {
    const help = await drbot(["--help"]);
    expect(help.code).toBe(0);
    expect(help.out).toContain("用法");
    expect((await drbot(["help"])).code).toBe(0);
    expect((await drbot([])).code).toBe(1);
  });

  it("boolean flags take no value: a word after --force/--all/--dry-run stays a positional word", async () => {
    const r = await drbot(["draw", "--force", "T2026-01", "--dry-run"], env);
    expect(r.code, r.err).toBe(0);
    expect(r.out).toContain("T2026-01");
    const all = await drbot(["draw", "--all", "T2026-01", "--dry-run"], env);
    expect(all.code, all.err).toBe(0);
    const bad = await drbot(["draw", "T2026-01", "--dry-run=yes"], env);
    expect(bad.code).toBe(1);
    expect(bad.err).toContain("--dry-run 不带值");
  });

  it("task codes are case-insensitive", async () => {
    const r = await drbot(["draw", "t2026-01", "--dry-run"], env);
    expect(r.code, r.err).toBe(0);
    expect(r.out).toContain("任务 T2026-01");
    expect((await drbot(["draw", "t2099-99", "--dry-run"], env)).err).toContain("找不到任务编号「t2099-99」");
  });
});
