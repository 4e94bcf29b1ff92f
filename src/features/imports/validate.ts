import { KIND_SPECS, type ImportKind } from "./kinds";
import type { Table, TableRow } from "./table";

/** A validated row: parsed values by column name, and its spreadsheet row number. */
export interface ParsedRow {
  rowNumber: number;
  values: Record<string, unknown>;
}

/** Problems as `第N行 列名: 原因`, kept sortable by row and column. */
export class RowErrors {
  private readonly list: { row: number; col: number; text: string }[] = [];
  private readonly seen = new Set<string>(); // de-duplication in O(1) per problem, not a scan of the list
  constructor(private readonly columnOrder: readonly string[]) {}

  add(row: number, column: string, reason: string): void {
    const text = `第${row}行 ${column}: ${reason}`;
    if (this.seen.has(text)) return;
    this.seen.add(text);
    this.list.push({ row, col: this.columnOrder.indexOf(column), text });
  }

  get size(): number {
    return this.list.length;
  }

  messages(): string[] {
    return [...this.list].sort((a, b) => a.row - b.row || a.col - b.col).map((e) => e.text);
  }
}

/**
 * Header and per-cell checks of one list, row by row as the rows are read: every problem, not only
 * the first. Needs no database. Only the parsed values of valid rows are kept.
 */
export class TableValidator<R = Record<string, unknown>> {
  private readonly spec: (typeof KIND_SPECS)[ImportKind];
  readonly errors: RowErrors;
  /** Valid rows, as `toRecord` makes them (the parsed values themselves are not kept). */
  readonly rows: { rowNumber: number; record: R }[] = [];
  private readonly seenKeys = new Map<string, number>();
  private count = 0;
  /** False when the header row is unusable: the rows are then not worth reading. */
  readonly headersOk: boolean;

  constructor(
    private readonly kind: ImportKind,
    headers: readonly string[],
    private readonly toRecord: (values: Record<string, unknown>) => R = (v) => v as R,
  ) {
    this.spec = KIND_SPECS[kind];
    this.errors = new RowErrors(this.spec.columns.map((c) => c.name));
    const have = new Set(headers);
    for (const c of this.spec.columns)
      if (c.required && !have.has(c.name)) this.errors.add(1, c.name, "缺少该列（表头须与模板一致）");
    for (const group of this.spec.anyOf ?? []) {
      if (!group.some((h) => have.has(h))) this.errors.add(1, group.join("/"), "至少需要其中一列");
    }
    this.headersOk = this.errors.size === 0;
  }

  add({ rowNumber, cells }: TableRow): void {
    this.count++;
    const values: Record<string, unknown> = {};
    let ok = true;
    for (const c of this.spec.columns) {
      const r = c.schema.safeParse(cells.get(c.name) ?? "");
      if (r.success) values[c.name] = r.data;
      else {
        ok = false;
        for (const issue of r.error.issues) this.errors.add(rowNumber, c.name, issue.message);
      }
    }
    for (const e of crossFieldProblems(this.kind, values)) {
      ok = false;
      this.errors.add(rowNumber, e.column, e.reason);
    }
    const key = this.spec.keyColumns.map((k) => String(values[k] ?? cells.get(k) ?? "")).join("|");
    const first = this.seenKeys.get(key);
    if (first !== undefined && key.replace(/\|/g, "") !== "") {
      ok = false;
      this.errors.add(rowNumber, this.spec.keyColumns.join("+"), `与第${first}行重复`);
    } else this.seenKeys.set(key, rowNumber);
    if (ok) this.rows.push({ rowNumber, record: this.toRecord(values) });
  }

  finish(): { rows: { rowNumber: number; record: R }[]; errors: RowErrors } {
    this.seenKeys.clear(); // 100,000 keys: not kept alive through the write
    if (this.headersOk && this.count === 0) this.errors.add(2, this.spec.columns[0]!.name, "没有数据行");
    return { rows: this.headersOk ? this.rows : [], errors: this.errors };
  }
}

/** validateTable over a table already in memory. */
export function validateTable(kind: ImportKind, table: Table): { rows: ParsedRow[]; errors: RowErrors } {
  const v = new TableValidator(kind, table.headers);
  if (v.headersOk) for (const row of table.rows) v.add(row);
  const { rows, errors } = v.finish();
  return { rows: rows.map((r) => ({ rowNumber: r.rowNumber, values: r.record })), errors };
}

function crossFieldProblems(kind: ImportKind, v: Record<string, unknown>): { column: string; reason: string }[] {
  if (kind === "inspectors" && v["手机号"] === "" && v["飞书open_id"] === "") {
    return [{ column: "手机号", reason: "手机号与飞书open_id至少填写一项" }];
  }
  if (
    kind === "plan" &&
    typeof v["开始日期"] === "string" &&
    typeof v["结束日期"] === "string" &&
    v["结束日期"] < v["开始日期"]
  ) {
    return [{ column: "结束日期", reason: "早于开始日期" }];
  }
  return [];
}
