import { isUtf8 } from "node:buffer";
import { AppError, isAppError } from "../../domain/errors";
import { DEFAULT_IMPORT_LIMITS, MAX_COLUMNS, preflight, tooWide, type ImportLimits } from "./limits";
import { xlsxSheetRows } from "./xlsxReader";

/**
 * Spreadsheets as rows of text, read safely: a file over IMPORT_MAX_BYTES, or a sheet whose declared
 * (<dimension>) or real extent passes IMPORT_MAX_ROWS or 100 columns, is refused before it is parsed
 * further. Rows are streamed (xlsxReader.ts; a small CSV state machine) and only the
 * cells that exist are visited, so a 6 KB file that claims XFD1048576 costs nothing.
 */

export { DEFAULT_IMPORT_LIMITS, MAX_COLUMNS, tooLarge, type ImportLimits } from "./limits";

export interface TableRow {
  rowNumber: number;
  cells: Map<string, string>;
}

/** A spreadsheet as text: the header row and every non-empty data row with its spreadsheet row number. */
export interface Table {
  headers: string[];
  rows: TableRow[];
}

/** The header row, and the data rows as they are read (each validated and dropped by the caller). */
export interface TableSource {
  headers: string[];
  rows: AsyncIterable<TableRow>;
}

export const WRONG_FORMAT = "请另存为 .xlsx 或 UTF-8 .csv";

/** Header text as compared against §7: trimmed, full-width brackets folded, a trailing required-mark "*" dropped. */
function normalizeHeader(h: string): string {
  return h.replace(/（/g, "(").replace(/）/g, ")").replace(/\s+/g, "").replace(/\*$/, "");
}

/** Raw rows (sparse: index = column − 1) → the header row and data rows keyed by header; blank rows skipped. */
async function fromRawRows(
  raw: AsyncIterator<{ rowNumber: number; cells: string[] }>,
  empty: string,
): Promise<TableSource> {
  const first = await raw.next();
  if (first.done) throw new AppError("BAD_FILE", empty);
  const headerCells = first.value.rowNumber === 1 ? first.value.cells : [];
  const pending = first.value.rowNumber === 1 ? null : first.value;
  const headers: string[] = [];
  const columns: { col: number; name: string }[] = [];
  headerCells.forEach((h, col) => {
    const name = normalizeHeader(h ?? "");
    if (name !== "" && !headers.includes(name)) {
      headers.push(name);
      columns.push({ col, name });
    }
  });
  async function* rows(): AsyncGenerator<TableRow> {
    let next = pending;
    for (;;) {
      if (!next) {
        const r = await raw.next();
        if (r.done) return;
        next = r.value;
      }
      const { rowNumber, cells } = next;
      next = null;
      const map = new Map<string, string>();
      let blank = true;
      for (const { col, name } of columns) {
        const v = (cells[col] ?? "").trim();
        if (v !== "") blank = false;
        map.set(name, v);
      }
      if (!blank || cells.some((c) => (c ?? "").trim() !== "")) yield { rowNumber, cells: map };
    }
  }
  return { headers, rows: rows() };
}

async function* xlsxRows(buffer: Buffer, limits: ImportLimits): AsyncGenerator<{ rowNumber: number; cells: string[] }> {
  for await (const row of xlsxSheetRows(buffer)) {
    if (row.rowNumber > limits.maxRows + 1 || row.widest > MAX_COLUMNS)
      throw tooWide("工作表", row.rowNumber, row.widest, limits);
    yield row;
  }
}

async function openXlsx(buffer: Buffer, limits: ImportLimits): Promise<TableSource> {
  return fromRawRows(xlsxRows(buffer, limits), "工作表为空：第一行应为表头");
}

/**
 * RFC 4180 records (quotes, doubled quotes, CRLF/LF), refusing a record wider than MAX_COLUMNS as soon as
 * it gets there. Parsed on the bytes (the delimiters are ASCII, so they never fall inside a UTF-8
 * sequence) and each field decoded on its own: no 2-byte-per-character copy of the whole file is kept
 * alive by the values (18 MB for 100,000 targets).
 */
function* csvRecords(
  buf: Buffer,
  start: number,
  limits: ImportLimits,
): Generator<{ rowNumber: number; cells: string[] }> {
  const n = buf.length;
  let i = start;
  let rowNumber = 0;
  while (i < n) {
    const cells: string[] = [];
    rowNumber++;
    if (rowNumber > limits.maxRows + 1) throw tooWide("CSV 文件", rowNumber, 0, limits);
    for (;;) {
      let field: string;
      if (buf[i] === 34) {
        field = "";
        let from = ++i;
        for (;;) {
          const q = buf.indexOf(34, i);
          if (q < 0) {
            field += buf.toString("utf8", from, n);
            i = n;
            break;
          }
          if (buf[q + 1] === 34) {
            field += buf.toString("utf8", from, q + 1);
            i = from = q + 2;
            continue;
          }
          field += buf.toString("utf8", from, q);
          i = q + 1;
          break;
        }
        let j = i; // anything between the closing quote and the delimiter is kept, as lenient readers do
        while (j < n && !isDelimiter(buf[j]!)) j++;
        if (j > i) field += buf.toString("utf8", i, j);
        i = j;
      } else {
        let j = i;
        while (j < n && !isDelimiter(buf[j]!)) j++;
        field = buf.toString("utf8", i, j);
        i = j;
      }
      cells.push(field);
      if (cells.length > MAX_COLUMNS) throw tooWide("CSV 文件", rowNumber, cells.length, limits);
      if (i >= n) break;
      const c = buf[i];
      if (c === 44) {
        i++;
        continue;
      }
      i += c === 13 && buf[i + 1] === 10 ? 2 : 1;
      break;
    }
    yield { rowNumber, cells };
  }
}

const isDelimiter = (c: number) => c === 44 || c === 10 || c === 13;

async function* toAsync<T>(it: Iterable<T>): AsyncGenerator<T> {
  yield* it;
}

async function openCsv(buffer: Buffer, limits: ImportLimits): Promise<TableSource> {
  if (!isUtf8(buffer)) throw new AppError("BAD_FILE", `CSV 不是 UTF-8 编码（可能是 GBK）。${WRONG_FORMAT}`);
  const bom = buffer[0] === 0xef && buffer[1] === 0xbb && buffer[2] === 0xbf ? 3 : 0;
  return fromRawRows(toAsync(csvRecords(buffer, bom, limits)), "文件为空：第一行应为表头");
}

/** Any failure inside a reader that is not one of our refusals is a broken file, never a crash (nor a retry). */
async function* guarded(rows: AsyncIterable<TableRow>, ext: string): AsyncGenerator<TableRow> {
  try {
    yield* rows;
  } catch (e) {
    throw asBadFile(e, ext);
  }
}

function asBadFile(e: unknown, ext: string): AppError {
  if (isAppError(e)) return e;
  return new AppError("BAD_FILE", `文件无法按 .${ext} 读取（文件损坏或并非 ${ext}）。${WRONG_FORMAT}`);
}

/** Opens an .xlsx (first sheet) or UTF-8 .csv (BOM allowed) for streaming; anything else is refused. */
export async function openTable(
  buffer: Buffer,
  fileName: string,
  limits: ImportLimits = DEFAULT_IMPORT_LIMITS,
): Promise<TableSource> {
  const ext = fileName.toLowerCase().match(/\.([a-z0-9]+)$/)?.[1];
  if (ext !== "xlsx" && ext !== "csv")
    throw new AppError("BAD_FORMAT", `不支持的文件格式「${ext ? `.${ext}` : fileName}」。${WRONG_FORMAT}`);
  preflight(buffer, fileName, limits);
  try {
    const source = ext === "xlsx" ? await openXlsx(buffer, limits) : await openCsv(buffer, limits);
    return { headers: source.headers, rows: guarded(source.rows, ext) };
  } catch (e) {
    throw asBadFile(e, ext);
  }
}

/** The whole table at once (templates and small files in tests). */
export async function readTable(
  buffer: Buffer,
  fileName: string,
  limits: ImportLimits = DEFAULT_IMPORT_LIMITS,
): Promise<Table> {
  const source = await openTable(buffer, fileName, limits);
  const rows: TableRow[] = [];
  for await (const row of source.rows) rows.push(row);
  return { headers: source.headers, rows };
}
