import { KIND_SPECS, type ImportKind } from "./kinds";
import type { Table } from "./table";

/** A validated row: parsed values by column name, and its spreadsheet row number. */
export interface ParsedRow {
  rowNumber: number;
  values: Record<string, unknown>;
}

/** Problems as `第N行 列名: 原因`, kept sortable by row and column. */
export class RowErrors {
  private readonly list: { row: number; col: number; text: string }[] = [];
  constructor(private readonly columnOrder: readonly string[]) {}

  add(row: number, column: string, reason: string): void {
    const text = `第${row}行 ${column}: ${reason}`;
    if (!this.list.some((e) => e.text === text)) this.list.push({ row, col: this.columnOrder.indexOf(column), text });
  }

  get size(): number {
    return this.list.length;
  }

  messages(): string[] {
    return [...this.list].sort((a, b) => a.row - b.row || a.col - b.col).map((e) => e.text);
  }
}

/** Header and per-cell checks of one list: every problem, not only the first. Needs no database. */
export function validateTable(kind: ImportKind, table: Table): { rows: ParsedRow[]; errors: RowErrors } {
  const spec = KIND_SPECS[kind];
  const errors = new RowErrors(spec.columns.map((c) => c.name));
  const have = new Set(table.headers);
  for (const c of spec.columns) if (c.required && !have.has(c.name)) errors.add(1, c.name, "缺少该列（表头须与模板一致）");
  for (const group of spec.anyOf ?? []) {
    if (!group.some((h) => have.has(h))) errors.add(1, group.join("/"), "至少需要其中一列");
  }
  if (errors.size > 0) return { rows: [], errors };
  if (table.rows.length === 0) {
    errors.add(2, spec.columns[0]!.name, "没有数据行");
    return { rows: [], errors };
  }

  const rows: ParsedRow[] = [];
  const seenKeys = new Map<string, number>();
  for (const { rowNumber, cells } of table.rows) {
    const values: Record<string, unknown> = {};
    let ok = true;
    for (const c of spec.columns) {
      const r = c.schema.safeParse(cells.get(c.name) ?? "");
      if (r.success) values[c.name] = r.data;
      else {
        ok = false;
        for (const issue of r.error.issues) errors.add(rowNumber, c.name, issue.message);
      }
    }
    for (const e of crossFieldProblems(kind, values)) {
      ok = false;
      errors.add(rowNumber, e.column, e.reason);
    }
    const key = spec.keyColumns.map((k) => String(values[k] ?? cells.get(k) ?? "")).join("|");
    const first = seenKeys.get(key);
    if (first !== undefined && key.replace(/\|/g, "") !== "") {
      ok = false;
      errors.add(rowNumber, spec.keyColumns.join("+"), `与第${first}行重复`);
    } else seenKeys.set(key, rowNumber);
    if (ok) rows.push({ rowNumber, values });
  }
  return { rows, errors };
}

function crossFieldProblems(kind: ImportKind, v: Record<string, unknown>): { column: string; reason: string }[] {
  if (kind === "inspectors" && v["手机号"] === "" && v["飞书open_id"] === "") {
    return [{ column: "手机号", reason: "手机号与飞书open_id至少填写一项" }];
  }
  if (kind === "plan" && typeof v["开始日期"] === "string" && typeof v["结束日期"] === "string" && v["结束日期"] < v["开始日期"]) {
    return [{ column: "结束日期", reason: "早于开始日期" }];
  }
  return [];
}
