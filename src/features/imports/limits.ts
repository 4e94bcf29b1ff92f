import { AppError } from "../../domain/errors";
import { declaredExtents } from "./xlsxExtent";

/**
 * Import limits (interface.md §2) and the checks that need no parsing: the file's size, and for an
 * .xlsx each sheet's declared <dimension> and the zip's claimed unpacked size. Light on purpose
 * (no exceljs, no database), so the CLI refuses a hostile file before loading either.
 */

export interface ImportLimits {
  maxBytes: number;
  maxRows: number;
}
export const DEFAULT_IMPORT_LIMITS: ImportLimits = { maxBytes: 67_108_864, maxRows: 200_000 };
export const MAX_COLUMNS = 100;

const mb = (bytes: number) => (bytes / 1024 / 1024).toFixed(1);

export function tooLarge(bytes: number, limits: Pick<ImportLimits, "maxBytes">): AppError {
  return new AppError(
    "IMPORT_TOO_LARGE",
    `文件过大（至少 ${mb(bytes)} MB），导入上限为 ${mb(limits.maxBytes)} MB（IMPORT_MAX_BYTES）。请拆分后分批导入。未写入任何数据。`,
  );
}

export function tooWide(what: string, rows: number, columns: number, limits: ImportLimits): AppError {
  const problems = [
    rows > limits.maxRows + 1 ? `${rows} 行（上限 ${limits.maxRows} 行数据，IMPORT_MAX_ROWS）` : "",
    columns > MAX_COLUMNS ? `${columns} 列（上限 ${MAX_COLUMNS} 列）` : "",
  ].filter(Boolean);
  return new AppError(
    "IMPORT_TOO_LARGE",
    `${what}范围过大：${problems.join("、")}。请删除多余的行列（或清除远处单元格的内容），或拆分后分批导入。未写入任何数据。`,
  );
}

/** Throws the refusal for a file that is over the limits before any parsing; returns quietly otherwise. */
export function preflight(buffer: Buffer, fileName: string, limits: ImportLimits): void {
  if (buffer.length > limits.maxBytes) throw tooLarge(buffer.length, limits);
  if (!/\.xlsx$/i.test(fileName)) return;
  const declared = declaredExtents(buffer);
  for (const s of declared.sheets) {
    if (s.rows > limits.maxRows + 1 || s.columns > MAX_COLUMNS)
      throw tooWide("工作表声明的", s.rows, s.columns, limits);
  }
  // Shared strings are held in memory while a sheet streams: a zip that claims to unpack far beyond
  // the byte limit is a zip bomb, whatever its sheets declare.
  if (declared.uncompressedBytes > 8 * limits.maxBytes) throw tooLarge(declared.uncompressedBytes, limits);
}
