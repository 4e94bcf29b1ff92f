/**
 * Files for the import benchmark and tests: a large valid 检查对象名录库 (CSV and .xlsx) and the
 * "cell bomb" — a tiny .xlsx whose only cell sits at XFD1048576, the last cell Excel allows.
 */
import ExcelJS from "exceljs";
import { PassThrough } from "node:stream";
import { withCheckChar } from "../src/domain/creditCode";

export const TARGET_HEADERS = [
  "统一社会信用代码",
  "名称",
  "对象类型",
  "经营状态",
  "风险等级",
  "地址",
  "法定代表人",
  "联系电话",
  "所属区域",
];

/** Row k of a synthetic targets list (valid credit code, ~150 bytes of UTF-8). */
export function targetRow(k: number): string[] {
  const body = `91330122MA${String(k).padStart(7, "0")}`;
  return [
    withCheckChar(body),
    `杭州测试道路运输有限公司第${k}号`,
    "道路货物运输经营者",
    k % 17 === 0 ? "停业" : "存续",
    ["低", "中", "高"][k % 3]!,
    `浙江省杭州市测试区某某街道某某路${k % 997}号`,
    `张${k % 100}`,
    `1390000${String(k % 10000).padStart(4, "0")}`,
    `第${k % 12}片区`,
  ];
}

export function targetsCsv(rows: number): Buffer {
  const lines = [TARGET_HEADERS.join(",")];
  for (let k = 1; k <= rows; k++) lines.push(targetRow(k).join(","));
  return Buffer.from(lines.join("\n") + "\n", "utf8");
}

export async function targetsXlsx(rows: number): Promise<Buffer> {
  const out = new PassThrough();
  const chunks: Buffer[] = [];
  out.on("data", (c: Buffer) => chunks.push(c));
  const wb = new ExcelJS.stream.xlsx.WorkbookWriter({ stream: out, useSharedStrings: true, useStyles: false });
  const ws = wb.addWorksheet("检查对象名录库");
  ws.addRow(TARGET_HEADERS).commit();
  for (let k = 1; k <= rows; k++) ws.addRow(targetRow(k)).commit();
  ws.commit();
  await wb.commit();
  return Buffer.concat(chunks);
}

/** A few KB: the target headers in row 1 and one cell at XFD1048576 (16,384 columns × 1,048,576 rows declared). */
export async function cellBombXlsx(): Promise<Buffer> {
  const wb = new ExcelJS.Workbook();
  const ws = wb.addWorksheet("Sheet1");
  ws.addRow(TARGET_HEADERS);
  ws.getCell("XFD1048576").value = "x";
  return Buffer.from(await wb.xlsx.writeBuffer());
}
