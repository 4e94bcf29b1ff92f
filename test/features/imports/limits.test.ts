import JSZip from "jszip";
import { writeFileSync } from "node:fs";
import path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { cellBombXlsx, TARGET_HEADERS, targetRow, targetsCsv, targetsXlsx } from "../../../bench/import-files";
import { drbot } from "../../helpers/cli";
import { readTable } from "../../../src/features/imports/table";
import { RowErrors } from "../../../src/features/imports/validate";
import { openDatabase } from "../../../src/store/db";
import { tempDir } from "../../helpers/db";

/** The same sheet without its <dimension> element: only the real extent can give it away. */
async function withoutDimension(xlsx: Buffer): Promise<Buffer> {
  const zip = await JSZip.loadAsync(xlsx);
  const name = "xl/worksheets/sheet1.xml";
  zip.file(name, (await zip.file(name)!.async("string")).replace(/<dimension [^>]*\/>/, ""));
  return zip.generateAsync({ type: "nodebuffer", compression: "DEFLATE" });
}

let dir: string;
const file = (name: string, bytes: Buffer) => {
  const f = path.join(dir, name);
  writeFileSync(f, bytes);
  return f;
};
const dbEnv = () => ({ DATABASE_URL: `file:${path.join(dir, `t${Math.random().toString(36).slice(2)}.db`)}` });
async function targetCount(env: NodeJS.ProcessEnv): Promise<number> {
  const db = openDatabase(env["DATABASE_URL"]!);
  try {
    return await db.target.count();
  } finally {
    await db.$disconnect();
  }
}

beforeAll(() => {
  dir = tempDir();
});

describe("imports that would take the bot down are refused before they are parsed", () => {
  it("the cell bomb (a few KB claiming XFD1048576) is refused by the CLI, naming the limits, nothing written", async () => {
    const bomb = await cellBombXlsx();
    expect(bomb.length).toBeLessThan(10_000);
    const env = dbEnv();
    const r = await drbot(["import", "targets", file("bomb.xlsx", bomb)], env);
    expect(r.code).toBe(1);
    expect(r.err).toContain("范围过大");
    expect(r.err).toContain("1048576 行");
    expect(r.err).toContain("16384 列");
    expect(await targetCount(env)).toBe(0);
  });

  it("a sheet whose real extent is too wide or too long is refused even when it declares nothing", async () => {
    const wide = await withoutDimension(await cellBombXlsx());
    const r = await drbot(["import", "targets", file("wide.xlsx", wide)], dbEnv());
    expect(r.code).toBe(1);
    expect(r.err).toContain("范围过大");
    const long = await withoutDimension(await targetsXlsx(30));
    const env = { ...dbEnv(), IMPORT_MAX_ROWS: "20" };
    const l = await drbot(["import", "targets", file("long.xlsx", long)], env);
    expect(l.code).toBe(1);
    expect(l.err).toContain("22 行（上限 20 行数据，IMPORT_MAX_ROWS）"); // stopped at the first row past the limit
    expect(await targetCount(env)).toBe(0);
  });

  it("IMPORT_MAX_ROWS and 100 columns bound CSV files too; a file at the limit imports", async () => {
    const env = { ...dbEnv(), IMPORT_MAX_ROWS: "20" };
    expect((await drbot(["import", "targets", file("21.csv", targetsCsv(21))], env)).err).toContain("上限 20 行数据");
    expect(await targetCount(env)).toBe(0);
    expect((await drbot(["import", "targets", file("20.csv", targetsCsv(20))], env)).code).toBe(0);
    expect(await targetCount(env)).toBe(20);
    const wide = [
      [...TARGET_HEADERS, ...Array.from({ length: 95 }, (_, k) => `备注${k}`)].join(","),
      targetRow(1).join(","),
    ].join("\n");
    const w = await drbot(["import", "targets", file("wide.csv", Buffer.from(wide))], dbEnv());
    expect(w.code).toBe(1);
    expect(w.err).toContain("上限 100 列");
  });

  it("a file over IMPORT_MAX_BYTES is refused before it is read", async () => {
    const env = { ...dbEnv(), IMPORT_MAX_BYTES: "4096" };
    const big = targetsCsv(60);
    expect(big.length).toBeGreaterThan(4096);
    const r = await drbot(["import", "targets", file("big.csv", big)], env);
    expect(r.code).toBe(1);
    expect(r.err).toContain("文件过大");
    expect(r.err).toContain("IMPORT_MAX_BYTES");
    expect(await targetCount(env)).toBe(0);
  });

  it("IMPORT_MAX_BYTES / IMPORT_MAX_ROWS are validated configuration", async () => {
    const r = await drbot(["stats"], { ...dbEnv(), IMPORT_MAX_ROWS: "many" });
    expect(r.code).toBe(1);
    expect(r.err).toContain("IMPORT_MAX_ROWS");
  });
});

describe("the streaming reader", () => {
  it("reads quoted CSV fields (commas, doubled quotes, line breaks), CRLF and a BOM", async () => {
    const csv = '\uFEFF名称,地址\r\n"甲,乙","说""明"\r\n"多\n行",x\r\n\r\n';
    const t = await readTable(Buffer.from(csv), "a.csv");
    expect(t.headers).toEqual(["名称", "地址"]);
    expect(t.rows.map((r) => [r.rowNumber, r.cells.get("名称"), r.cells.get("地址")])).toEqual([
      [2, "甲,乙", '说"明'],
      [3, "多\n行", "x"],
    ]);
  });

  it("reads an .xlsx row by row with spreadsheet row numbers", async () => {
    const t = await readTable(await targetsXlsx(3), "t.xlsx");
    expect(t.headers).toEqual(TARGET_HEADERS);
    expect(t.rows.map((r) => r.rowNumber)).toEqual([2, 3, 4]);
    expect(t.rows[2]!.cells.get("统一社会信用代码")).toBe(targetRow(3)[0]);
  });

  it("de-duplicates row problems by their text", () => {
    const e = new RowErrors(["a", "b"]);
    for (let k = 0; k < 3; k++) e.add(2, "b", "必填");
    e.add(2, "a", "必填");
    expect(e.messages()).toEqual(["第2行 a: 必填", "第2行 b: 必填"]);
  });
});
