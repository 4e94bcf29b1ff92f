import type ExcelJS from "exceljs";
import { Readable } from "node:stream";
import { AppError } from "../../domain/errors";

// Loaded on first use: exceljs costs ~28 MB and ~0.4 s per thread, and most runs never touch a spreadsheet.
const exceljs = async (): Promise<typeof ExcelJS> => (await import("exceljs")).default;

/** A spreadsheet as text: the header row and every non-empty data row with its spreadsheet row number. */
export interface Table {
  headers: string[];
  rows: { rowNumber: number; cells: Map<string, string> }[];
}

export const WRONG_FORMAT = "请另存为 .xlsx 或 UTF-8 .csv";

/** Header text as compared against §7: trimmed, full-width brackets folded, a trailing required-mark "*" dropped. */
export function normalizeHeader(h: string): string {
  return h
    .replace(/（/g, "(")
    .replace(/）/g, ")")
    .replace(/\s+/g, "")
    .replace(/\*$/, "");
}

/** The text a cell shows; numbers that Excel would have mangled keep their digits where possible. */
function cellText(value: ExcelJS.CellValue): string {
  if (value === null || value === undefined) return "";
  if (value instanceof Date) return value.toISOString().slice(0, 10); // exceljs gives date cells as UTC midnight
  if (typeof value === "number") return Number.isInteger(value) ? BigInt(value).toString() : String(value);
  if (typeof value === "string" || typeof value === "boolean") return String(value);
  if ("richText" in value) return value.richText.map((r) => r.text).join("");
  if ("formula" in value || "sharedFormula" in value) return cellText((value as ExcelJS.CellFormulaValue).result as ExcelJS.CellValue);
  if ("text" in value) return String(value.text); // hyperlink
  if ("error" in value) return "";
  return String(value);
}

function fromRows(raw: string[][], startRow = 1): Table {
  const headerRow = raw[0] ?? [];
  const headers = headerRow.map((h) => normalizeHeader(h ?? ""));
  const rows: Table["rows"] = [];
  raw.slice(1).forEach((cells, k) => {
    if (cells.every((c) => (c ?? "").trim() === "")) return;
    const map = new Map<string, string>();
    headers.forEach((h, col) => {
      if (h !== "" && !map.has(h)) map.set(h, (cells[col] ?? "").trim());
    });
    rows.push({ rowNumber: startRow + k + 1, cells: map });
  });
  return { headers: headers.filter((h) => h !== ""), rows };
}

async function readXlsx(buffer: Buffer): Promise<Table> {
  const wb = new (await exceljs()).Workbook();
  try {
    await wb.xlsx.load(buffer as unknown as ArrayBuffer);
  } catch {
    throw new AppError("BAD_FILE", `文件无法按 .xlsx 读取（文件损坏或并非 xlsx）。${WRONG_FORMAT}`);
  }
  const sheet = wb.worksheets[0];
  if (!sheet || sheet.rowCount === 0) throw new AppError("BAD_FILE", "工作表为空：第一行应为表头");
  const raw: string[][] = [];
  const width = sheet.columnCount;
  for (let r = 1; r <= sheet.rowCount; r++) {
    const row = sheet.getRow(r);
    const cells: string[] = [];
    for (let c = 1; c <= width; c++) cells.push(cellText(row.getCell(c).value));
    raw.push(cells);
  }
  return fromRows(raw);
}

async function readCsv(buffer: Buffer): Promise<Table> {
  let text: string;
  try {
    text = new TextDecoder("utf-8", { fatal: true }).decode(buffer);
  } catch {
    throw new AppError("BAD_FILE", `CSV 不是 UTF-8 编码（可能是 GBK）。${WRONG_FORMAT}`);
  }
  text = text.replace(/^\uFEFF/, "");
  const wb = new (await exceljs()).Workbook();
  // map: keep every value as text — the default would turn "0001" into 1 and dates into Date objects.
  const sheet = await wb.csv.read(Readable.from([text]), { map: (v: unknown) => v, parserOptions: { ignoreEmpty: false } });
  const raw: string[][] = [];
  sheet.eachRow({ includeEmpty: true }, (row) => {
    const values = row.values as unknown[];
    raw.push(values.slice(1).map((v) => (v === null || v === undefined ? "" : String(v))));
  });
  if (raw.length === 0) throw new AppError("BAD_FILE", "文件为空：第一行应为表头");
  return fromRows(raw);
}

/** Reads an .xlsx (first sheet) or UTF-8 .csv (BOM allowed); anything else is refused. */
export async function readTable(buffer: Buffer, fileName: string): Promise<Table> {
  const ext = fileName.toLowerCase().match(/\.([a-z0-9]+)$/)?.[1];
  if (ext === "xlsx") return readXlsx(buffer);
  if (ext === "csv") return readCsv(buffer);
  throw new AppError("BAD_FORMAT", `不支持的文件格式「${ext ? `.${ext}` : fileName}」。${WRONG_FORMAT}`);
}
