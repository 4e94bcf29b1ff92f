import { spawnSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import path from "node:path";
import { beforeEach, describe, expect, it } from "vitest";
import { TARGET_HEADERS, targetRow, targetsCsv, targetsXlsx } from "../../../bench/import-files";
import { runCli, type Io } from "../../../src/cli/main";
import { demoCreditCode } from "../../../src/demo/data";
import { isAppError } from "../../../src/domain/errors";
import { importFile, type ImportOptions } from "../../../src/features/imports/importer";
import { readTable } from "../../../src/features/imports/table";
import { verifyAuditChain } from "../../../src/store/audit";
import type { Db } from "../../../src/store/db";
import { freshDb, loadDemo, NOW, tableCounts, tempDir } from "../../helpers/db";

const opts: ImportOptions = { kind: "targets", actor: "test", at: NOW, directory: null };
const csv = (rows: string[][]) => Buffer.from([TARGET_HEADERS, ...rows].map((r) => r.join(",")).join("\n"), "utf8");

async function cli(args: string[], url: string): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const io: Io = { out: (t) => out.push(t), err: (t) => err.push(t), now: () => NOW };
  const code = await runCli(args, io, {
    ...process.env,
    DATABASE_URL: url,
    LARK_APP_ID: undefined,
    LARK_APP_SECRET: undefined,
  });
  return { code, out: out.join("\n"), err: err.join("\n") };
}

let db: Db;
let url: string;
let dir: string;
beforeEach(async () => {
  ({ db, url, dir } = freshDb());
  await loadDemo(db);
});

describe("检查对象名录库 written in one transaction through better-sqlite3", () => {
  it("an import that fails midway writes nothing: no target, no revision, no audit entry", async () => {
    const code = demoCreditCode(1);
    const before = await db.target.findUniqueOrThrow({ where: { creditCode: code } });
    const rows = [
      [code, "改过名的物流有限公司", before.type, "存续", "高", "", "", "", ""], // an update (and a revision) first
      ...Array.from({ length: 300 }, (_, k) => targetRow(k + 1)),
    ];
    // The 151st new row fails inside the write transaction, after 150 inserts and the update went in.
    const poisoned = targetRow(151)[0]!;
    await db.$executeRawUnsafe(
      `CREATE TRIGGER "test_poison" BEFORE INSERT ON "Target" WHEN NEW."creditCode" = '${poisoned}' BEGIN SELECT RAISE(ABORT, 'poisoned row'); END`,
    );
    const counts = await tableCounts(db);
    const audits = await db.auditLog.count();
    await expect(importFile(db, csv(rows), "t.csv", opts)).rejects.toThrow(/poisoned row/);
    expect(await tableCounts(db)).toEqual(counts);
    expect(await db.auditLog.count()).toBe(audits);
    expect(await db.target.findUniqueOrThrow({ where: { creditCode: code } })).toMatchObject({
      name: before.name,
      version: 1,
    });

    // Without the poison the same file goes in whole, with its revision and one audit entry on the chain.
    await db.$executeRawUnsafe(`DROP TRIGGER "test_poison"`);
    const report = await importFile(db, csv(rows), "t.csv", opts);
    expect(report).toMatchObject({ rows: 301, created: 300, updated: 1, unchanged: 0 });
    expect(await db.targetRevision.count({ where: { creditCode: code } })).toBe(1);
    expect(await db.auditLog.count()).toBe(audits + 1);
    const audit = await db.auditLog.findFirstOrThrow({ orderBy: { seq: "desc" } });
    expect(JSON.parse(audit.data)).toMatchObject({ rows: 301, updated: [code], unchanged: 0 });
    expect(JSON.parse(audit.data).created).toHaveLength(300);
    expect(await verifyAuditChain(db)).toMatchObject({ ok: true, brokenAt: null });
    // The raw writer's audit row is as append-only as any other.
    await expect(
      db.$executeRawUnsafe(`UPDATE "AuditLog" SET "actor" = 'x' WHERE "seq" = ${audit.seq}`),
    ).rejects.toThrow();
  });

  it("an invalid row anywhere rejects the whole file before anything is written", async () => {
    const rows = Array.from({ length: 50 }, (_, k) => targetRow(k + 1));
    rows[40] = [...rows[40]!.slice(0, 3), "歇业", ...rows[40]!.slice(4)];
    const counts = await tableCounts(db);
    const error = await importFile(db, csv(rows), "t.csv", opts).catch((e: unknown) => e);
    expect(isAppError(error) && error.details["errors"]).toEqual([
      "第42行 经营状态: 应为 存续/在业/停业/注销/吊销 之一",
    ]);
    expect(await tableCounts(db)).toEqual(counts);
  });

  it("re-importing the same file (CSV through the CLI, then the same rows as .xlsx) reports 未变 for every row", async () => {
    const csvFile = path.join(dir, "targets.csv");
    writeFileSync(csvFile, targetsCsv(400));
    const first = await cli(["import", "targets", csvFile], url);
    expect(first).toMatchObject({ code: 0 });
    expect(first.out).toContain("共 400 行，新增 400，更新 0，未变 0");
    const again = await cli(["import", "targets", csvFile], url);
    expect(again.out).toContain("共 400 行，新增 0，更新 0，未变 400");
    const xlsx = await importFile(db, await targetsXlsx(400), "targets.xlsx", opts);
    expect(xlsx).toMatchObject({ rows: 400, created: 0, updated: 0, unchanged: 400 });
    expect(await db.targetRevision.count()).toBe(0);
    expect(await verifyAuditChain(db)).toMatchObject({ ok: true, brokenAt: null });
  });

  it("`drbot import targets` never loads the Prisma client", () => {
    const work = tempDir();
    const file = path.join(work, "t.csv");
    writeFileSync(file, targetsCsv(20));
    const probe = path.join(work, "probe.js");
    writeFileSync(
      probe,
      `process.on("exit", () => { if (Object.keys(require.cache).some((k) => /generated[\\\\/]prisma|@prisma[\\\\/]client/.test(k))) process.stderr.write("PRISMA LOADED\\n"); });\n`,
    );
    const { LARK_APP_ID: _a, LARK_APP_SECRET: _b, ...env } = process.env;
    const bin = path.join(__dirname, "..", "..", "..", "bin", "drbot.js");
    const r = spawnSync(process.execPath, ["-r", probe, bin, "import", "targets", file], {
      env: { ...env, DATABASE_URL: `file:${path.join(work, "t.db")}` },
      encoding: "utf8",
    });
    expect(r.stdout).toContain("新增 20");
    expect(r.status).toBe(0);
    expect(r.stderr).not.toContain("PRISMA LOADED");
  });
});

describe("the .xlsx reader", () => {
  it("reads 3,000 rows of CJK text exactly as the same CSV (no character garbled at a chunk edge)", async () => {
    const [x, c] = await Promise.all([
      readTable(await targetsXlsx(3000), "t.xlsx"),
      readTable(targetsCsv(3000), "t.csv"),
    ]);
    expect(x.headers).toEqual(c.headers);
    expect(x.rows.length).toBe(3000);
    const text = (t: typeof x) => t.rows.map((r) => `${r.rowNumber}:${[...r.cells.values()].join("|")}`);
    expect(text(x)).toEqual(text(c));
  });
});
