import Database from "better-sqlite3";
import ExcelJS from "exceljs";
import path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { drbot } from "../helpers/cli";
import { shiftDays } from "../../src/domain/calendar";
import { commitDraw, revealDraw } from "../../src/features/draw/service";
import { PUBLICITY_COLUMNS } from "../../src/features/publicity/export";
import { openDatabase, type Db } from "../../src/store/db";
import { clock, loadDemo, NOW, tempDir } from "../helpers/db";

const TODAY = "2026-11-25"; // NOW in Asia/Shanghai

let dir: string;
let dbFile: string;
let env: NodeJS.ProcessEnv;
let db: Db;

/** Two tasks drawn, each with confirmed results, none published. */
beforeAll(async () => {
  dir = tempDir();
  dbFile = path.join(dir, "cli.db");
  env = { DATABASE_URL: `file:${dbFile}` };
  db = openDatabase(env.DATABASE_URL!);
  await loadDemo(db);
  for (const task of ["T2026-01", "T2026-03"]) {
    const { commitment } = await commitDraw(
      db,
      { taskCode: task, orderedBy: "ou_1eade71eade71eade71eade71eade71e" },
      clock,
    );
    const { record } = await revealDraw(
      db,
      { drawId: commitment.drawId, witnessOpenId: "ou_1e9a11e9a11e9a11e9a11e9a11e9a11e", entropy: task },
      clock,
    );
    for (const t of record.selection.targets.slice(0, 2)) {
      await db.result.create({
        data: {
          drawId: record.drawId,
          targetId: t.id,
          inspectionDate: shiftDays(TODAY, -20),
          category: "未发现问题",
          submittedBy: "x",
          status: "confirmed",
          confirmedBy: "y",
          confirmedAt: new Date(NOW.getTime() - 10 * 86_400_000),
          publicityDue: shiftDays(TODAY, 10),
        },
      });
    }
  }
  await db.$disconnect();
});

describe("drbot publicity mark (§5)", () => {
  it("refuses bad usage with exit 1 and marks nothing", async () => {
    expect((await drbot(["publicity", "mark"], env)).code).toBe(1);
    expect((await drbot(["publicity", "mark", "T2026-01", "--all"], env)).code).toBe(1);
    expect((await drbot(["publicity", "mark", "T-NOPE"], env)).err).toMatch(/找不到任务编号「T-NOPE」/);
    expect((await drbot(["publicity", "mark", "--all", "--date", "2026-13-01"], env)).code).toBe(1);
    const future = await drbot(["publicity", "mark", "--all", "--date", "2026-11-26"], env);
    expect(future).toMatchObject({ code: 1 });
    expect(future.err).toMatch(/晚于今天/);
    const before = await drbot(["publicity", "mark", "T2026-01", "--date", "2026-11-01"], env);
    expect(before).toMatchObject({ code: 0, out: "已标记 0 条" });
    expect(before.err).toMatch(/早于结果确认日期/);
  });

  it("marks one task's results, then --all the rest, printing 已标记 N 条", async () => {
    expect(await drbot(["publicity", "mark", "T2026-01", "--date", "2026-11-20"], env)).toMatchObject({
      code: 0,
      out: "已标记 2 条",
    });
    expect(await drbot(["publicity", "mark", "--all"], env)).toMatchObject({ code: 0, out: "已标记 2 条" });
    expect(await drbot(["publicity", "mark", "--all"], env)).toMatchObject({ code: 0, out: "已标记 0 条" });
    const stats = await drbot(["stats", "--year", "2026"], env);
    expect(stats.out).toContain("公示率 100.00%（按期公示 4 ÷（已公示 4 + 逾期未公示 0）");
    expect(stats.out).toContain("T2026-01 2026年道路货运经营者双随机抽查：已确认 2 条，公示率 100.00%");
  });

  it("stats counts coverage per risk level from the draw records and the pool", async () => {
    const check = openDatabase(env.DATABASE_URL!);
    try {
      const draw = await check.draw.findFirstOrThrow({ where: { taskCode: "T2026-01", status: "revealed" } });
      const record = JSON.parse(draw.record) as {
        selection: { targets: { stratum: string }[] };
        pool: { targets: { stratum: string }[] };
      };
      const out = (await drbot(["stats", "--year", "2026"], env)).out;
      for (const risk of ["低", "中", "高"]) {
        const drawn = record.selection.targets.filter((t) => t.stratum === risk).length;
        const pool = record.pool.targets.filter((t) => t.stratum === risk).length;
        const pct = Math.floor((2 * drawn * 10000 + pool) / (2 * pool)); // half-up basis points
        expect(out).toContain(
          `    ${risk}风险：${drawn}/${pool} 户，覆盖率 ${Math.floor(pct / 100)}.${String(pct % 100).padStart(2, "0")}%`,
        );
      }
      expect(out).toMatch(/四、后续处置：未办结 \d+ 件，其中逾期 \d+ 件/);
    } finally {
      await check.$disconnect();
    }
  });
});

describe("drbot export publicity (§5 columns)", () => {
  const read = async (file: string) => {
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.readFile(file);
    return wb.worksheets[0]!;
  };

  it("has exactly the §5 columns; 检查实施机关 from BUREAU_NAME; dates are bureau dates; no open_id", async () => {
    const out = path.join(dir, "pub.xlsx");
    const r = await drbot(["export", "publicity", "--year", "2026", "--out", out], {
      ...env,
      BUREAU_NAME: "某县交通运输局",
    });
    expect(r).toMatchObject({ code: 0, err: "" });
    const sheet = await read(out);
    expect((sheet.getRow(1).values as unknown[]).slice(1)).toEqual([...PUBLICITY_COLUMNS]);
    expect(sheet.rowCount).toBe(5);
    const rows = [2, 3, 4, 5].map((n) =>
      Object.fromEntries(PUBLICITY_COLUMNS.map((c, k) => [c, String(sheet.getRow(n).getCell(k + 1).value ?? "")])),
    );
    for (const row of rows) {
      expect(row["检查实施机关"]).toBe("某县交通运输局");
      expect(row["公示状态"]).toBe("已公示");
      expect(row["公示日期"]).toMatch(/^2026-11-2[05]$/);
      expect(row["检查日期"]).toBe("2026-11-05");
      expect(row["企业名称"]).not.toBe("");
    }
    expect(JSON.stringify(rows)).not.toMatch(/ou_|T\d\d:\d\d/);
  });

  it("without BUREAU_NAME leaves the column empty and says so on stderr", async () => {
    const out = path.join(dir, "pub2.xlsx");
    const r = await drbot(["export", "publicity", "--year", "2026", "--out", out], env);
    expect(r.code).toBe(0);
    expect(r.err).toMatch(/未设置 BUREAU_NAME/);
    const sheet = await read(out);
    expect(sheet.getRow(2).getCell(PUBLICITY_COLUMNS.indexOf("检查实施机关") + 1).value ?? "").toBe("");
  });

  it("the draw list .xlsx shows the witness by name and times in TZ_BUREAU", async () => {
    const out = path.join(dir, "draw.xlsx");
    expect((await drbot(["export", "draw", "T2026-01", "--out", out], env)).code).toBe(0);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.readFile(out);
    const info = wb.getWorksheet("抽取信息")!;
    const cells = new Map<string, string>();
    info.eachRow((row) => cells.set(String(row.getCell(1).value), String(row.getCell(2).value)));
    expect(cells.get("见证人")).toMatch(/^赵法制（/);
    expect(cells.get("承诺时间")).toBe("2026-11-25 16:00"); // 08:00 UTC is 16:00 in Asia/Shanghai
    const all: string[] = [];
    wb.eachSheet((s) => s.eachRow((row) => row.eachCell((c) => void all.push(String(c.value)))));
    expect(all.join("\n")).not.toMatch(/ou_[0-9a-f]{8}/);
  });
});

describe("drbot audit verify", () => {
  it("exit 0 on an intact chain; the database refuses UPDATE and DELETE on the log", async () => {
    const r = await drbot(["audit", "verify"], env);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/^审计日志完整：\d+ 条$/);
    const raw = new Database(dbFile);
    try {
      expect(() => raw.prepare("UPDATE AuditLog SET actor = 'x' WHERE seq = 2").run()).toThrow(/append-only/);
      expect(() => raw.prepare("DELETE FROM AuditLog WHERE seq = 2").run()).toThrow(/append-only/);
    } finally {
      raw.close();
    }
    expect((await drbot(["audit", "verify"], env)).code).toBe(0);
  });

  it("exit 1 naming the first tampered row by seq (tampered through a raw connection, trigger dropped)", async () => {
    const raw = new Database(dbFile);
    try {
      raw.exec(`DROP TRIGGER "AuditLog_no_update"`);
      raw.prepare("UPDATE AuditLog SET actor = 'someone-else' WHERE seq = 3").run();
    } finally {
      raw.close();
    }
    const r = await drbot(["audit", "verify"], env);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/seq=3/);
    expect(r.out).toBe("");
  });
});
