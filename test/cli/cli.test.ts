import ExcelJS from "exceljs";
import { execFileSync, spawnSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { drbot } from "../helpers/cli";
import { DEMO_IMPORT_ORDER, demoCsv } from "../../src/demo/data";
import type { DrawRecord } from "../../src/domain/draw/types";
import { commitDraw, revealDraw } from "../../src/features/draw/service";
import { openDatabase } from "../../src/store/db";
import { projectRoot } from "../../src/paths";
import { clock, tempDir } from "../helpers/db";

let dir: string;
let env: NodeJS.ProcessEnv;
const file = (name: string) => path.join(dir, name);

beforeAll(async () => {
  dir = tempDir();
  env = { DATABASE_URL: `file:${file("cli.db")}` };
  const csv = demoCsv();
  for (const kind of DEMO_IMPORT_ORDER) {
    writeFileSync(file(`${kind}.csv`), csv[kind]);
    const r = await drbot(["import", kind, file(`${kind}.csv`)], env);
    expect(r.code, r.err).toBe(0);
  }
});

describe("drbot import", () => {
  it("reports what it did", async () => {
    const r = await drbot(["import", "items", file("items.csv")], env);
    expect(r).toMatchObject({ code: 0 });
    expect(r.out).toBe("抽查事项清单导入完成：共 4 行，新增 0，更新 0，未变 4");
  });

  it("rejects a broken file with row numbers, exit 1, nothing written", async () => {
    writeFileSync(file("bad.csv"), "执法证号,统一社会信用代码,原因\n33012200002,91330122MA2000001Y,\n");
    const r = await drbot(["import", "conflicts", file("bad.csv")], env);
    expect(r.code).toBe(1);
    expect(r.err).toContain("第2行 统一社会信用代码: 校验位错误");
    expect(r.err).toContain("第2行 原因: 必填");
    expect(r.err).toContain("未写入任何数据");
  });

  it("refuses .xls with the save-as hint, and an unknown kind with usage", async () => {
    writeFileSync(file("old.xls"), "x");
    expect((await drbot(["import", "targets", file("old.xls")], env)).err).toMatch(/请另存为 \.xlsx 或 UTF-8 \.csv/);
    const r = await drbot(["import", "people", file("old.xls")], env);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/名录种类应为 items\|targets/);
  });
});

describe("drbot draw --dry-run → verify", () => {
  it("prints the selection per stratum, writes a record that verifies, and a swapped record fails naming the check", async () => {
    const r = await drbot(["draw", "T2026-01", "--dry-run", "--out", file("r.json")], env);
    expect(r.code, r.err).toBe(0);
    const record = JSON.parse(readFileSync(file("r.json"), "utf8")) as DrawRecord;
    // Every selected code is printed on its own line, alternates only on 候补 lines.
    const lines = r.out.split("\n");
    for (const t of record.selection.targets) expect(lines).toContain(`  ${t.id}`);
    const alternates = Object.values(record.selection.alternates).flat();
    for (const line of lines.filter((l) => alternates.some((a) => l.includes(a)))) expect(line).toMatch(/候补/);
    expect(r.out).toMatch(/【高风险】号池 \d+ 户，抽取 3 户/);

    const ok = await drbot(["verify", file("r.json")], {});
    expect(ok.code).toBe(0);
    expect(ok.out).toContain("✓ 抽中对象及票号 selection.targets（逐户重算）");
    expect(ok.out).toContain("核验通过");

    const swapped = structuredClone(record);
    const stratum = swapped.selection.targets[0]!.stratum;
    swapped.selection.targets[0]!.id = swapped.selection.alternates[stratum]![0]!;
    writeFileSync(file("swapped.json"), JSON.stringify(swapped));
    const bad = await drbot(["verify", file("swapped.json")], {});
    expect(bad.code).toBe(1);
    expect(bad.out).toMatch(/✗ 抽中对象及票号 selection.targets（逐户重算）：selection.targets\[0\]\.id：应为/);
    expect(bad.out).toContain("核验失败");
  });

  it("the whole record (selection, assignment, joint units, specialties) is confirmed by the independent Python verifier", async () => {
    for (const task of ["T2026-01", "T2026-02", "T2026-03", "T2026-04"]) {
      await drbot(["draw", task, "--dry-run", "--out", file(`py-${task}.json`)], env);
      const out = execFileSync(
        "python3",
        [path.join(projectRoot, "scripts", "independent_sampler.py"), file(`py-${task}.json`)],
        { encoding: "utf8" },
      );
      expect(out, task).toContain("ok       selection.assignments\n");
      expect(out.trim().split("\n").at(-1), task).toBe("verified");
    }
  });

  it("never draws for real from the command line, and explains the missing pieces", async () => {
    expect((await drbot(["draw", "T2026-01"], env)).err).toMatch(/正式抽取须在飞书群里公开进行/);
    expect((await drbot(["draw", "T9999", "--dry-run"], env)).err).toMatch(/找不到任务编号「T9999」/);
    expect((await drbot(["verify", file("nope.json")], {})).err).toMatch(/无法读取文件/);
    writeFileSync(file("notjson.json"), "{");
    expect(await drbot(["verify", file("notjson.json")], {})).toMatchObject({
      code: 1,
      err: expect.stringMatching(/不是有效的 JSON/),
    });
  });
});

describe("drbot export / stats / template", () => {
  it("exports a revealed draw as JSON (verifies) and as .xlsx (targets, teams, proof)", async () => {
    const db = openDatabase(env.DATABASE_URL!);
    const { commitment } = await commitDraw(db, { taskCode: "T2026-02", orderedBy: "ou_leader" }, clock);
    await revealDraw(db, { drawId: commitment.drawId, witnessOpenId: "ou_witness", entropy: "7-7-7" }, clock);
    await db.$disconnect();

    expect((await drbot(["export", "draw", "T2026-02", "--out", file("d.json")], env)).code).toBe(0);
    expect((await drbot(["verify", file("d.json")], {})).code).toBe(0);
    expect((await drbot(["export", "draw", commitment.drawId, "--out", file("d.xlsx")], env)).code).toBe(0);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.readFile(file("d.xlsx"));
    expect(wb.worksheets.map((w) => w.name)).toEqual(["抽取结果", "候补", "抽取信息"]);
    const sheet = wb.getWorksheet("抽取结果")!;
    expect(sheet.getRow(1).values).toEqual([
      undefined,
      "序号",
      "风险等级",
      "统一社会信用代码",
      "名称",
      "票号",
      "检查人员",
    ]);
    expect(sheet.rowCount).toBe(
      1 +
        commitment.params.perStratum["中"]! +
        (commitment.params.perStratum["高"] ?? 0) +
        (commitment.params.perStratum["低"] ?? 0),
    );
    expect(String(sheet.getRow(2).getCell(6).value)).toMatch(/（3301220\d{4}）、.+（3301220\d{4}）/);

    expect((await drbot(["export", "draw", "T2026-03"], env)).err).toMatch(/找不到抽取记录/);
  });

  it("stats prints coverage per item against its ratio", async () => {
    const r = await drbot(["stats", "--year", "2026"], env);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(
      /JT-KY-001 道路旅客运输经营行为的监督检查（重点）：号池 \d+ 户，已抽 \d+ 户，覆盖率 \d+\.\d\d%，比例要求 20\.00%，达标/,
    );
    expect(r.out).toMatch(/JT-HY-001 .*已抽 0 户.*未达标/);
    expect((await drbot(["stats", "--year", "26"], env)).code).toBe(1);
  });

  it("exports publicity rows (none confirmed yet → headers only)", async () => {
    const r = await drbot(["export", "publicity", "--year", "2026", "--out", file("p.xlsx")], env);
    expect(r.out).toBe(`已导出 2026 年度抽查结果 0 条：${file("p.xlsx")}`);
  });

  it("template writes the §7 headers and an example row that imports", async () => {
    expect((await drbot(["template", "items", "--out", file("t.xlsx")], {})).code).toBe(0);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.readFile(file("t.xlsx"));
    expect(wb.worksheets[0]!.getRow(1).values).toEqual([
      undefined,
      "事项编码",
      "抽查事项",
      "抽查类别",
      "检查对象类型",
      "抽查比例(%)",
      "检查方式",
      "检查依据",
      "检查内容",
      "所需专业",
    ]);
    expect((await drbot(["import", "items", file("t.xlsx")], env)).out).toMatch(/新增 1/);
  });
});

describe("configuration errors", () => {
  it("refuses a non-SQLite DATABASE_URL with 暂不支持, naming the variable", async () => {
    const r = await drbot(["stats"], { DATABASE_URL: "postgresql://localhost/x" });
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/DATABASE_URL: DATABASE_URL 暂不支持「postgresql」/);
  });
});

describe("bin/drbot.js (plain Node launcher)", () => {
  it("runs the compiled CLI: verify exits 0 on a good record and 1 on a tampered one", () => {
    const bin = path.join(projectRoot, "bin", "drbot.js");
    const good = spawnSync(process.execPath, [bin, "verify", file("r.json")], { encoding: "utf8" });
    expect(good.status, good.stderr).toBe(0);
    expect(good.stdout).toContain("核验通过");
    const bad = spawnSync(process.execPath, [bin, "verify", file("swapped.json")], { encoding: "utf8" });
    expect(bad.status).toBe(1);
    const usage = spawnSync(process.execPath, [bin], { encoding: "utf8" });
    expect(usage.status).toBe(1);
    expect(usage.stdout).toContain("用法");
  });
});
