import { createHash } from "node:crypto";
import { AppError } from "../../domain/errors";
import type { Db } from "../../store/db";
import { APPLIERS, type ListKind } from "./appliers";
import { detectKind, KIND_SPECS, type ImportKind } from "./kinds";
import { DEFAULT_IMPORT_LIMITS, openTable, type ImportLimits } from "./table";
import { targetRecord, writeTargets } from "./targetsBulk";
import { TableValidator, type RowErrors } from "./validate";

import type { ContactDirectory } from "../../lark/contact";
export type { ContactDirectory } from "../../lark/contact";

export interface ImportOptions {
  kind?: ImportKind; // detected from the header row when absent (files sent in chat)
  actor: string;
  at: Date;
  directory: ContactDirectory | null;
  /** IMPORT_MAX_BYTES / IMPORT_MAX_ROWS (defaults as in interface.md §2). */
  limits?: ImportLimits;
  /** Where a plan import posts the plan card (LARK_ANNOUNCE_CHAT_ID); else the bound 公告 group. */
  announceChatId?: string;
  bureauName?: string;
}

export interface ImportReport {
  kind: ImportKind;
  title: string;
  rows: number;
  created: number;
  updated: number;
  unchanged: number;
  warnings: string[];
  /** Plan imports: the plan versions this import created (a year whose plan changed), and whether a card was queued. */
  planVersions?: { year: number; version: number; announced: boolean }[];
}

/** A file's rows once read and checked cell by cell, handed to the writer of its list. */
export interface Validated<K extends ImportKind = ImportKind> {
  kind: K;
  title: string;
  fileName: string;
  fileHash: string;
  records: { rowNumber: number; record: Record<string, unknown> }[];
  errors: RowErrors;
  warnings: string[];
  /** The refusal listing every problem found so far (nothing written). */
  rejected(): AppError;
}

/**
 * Imports one list, all or nothing: every problem is reported as `第N行 列名: 原因` and nothing is
 * written unless all rows are valid. Re-importing upserts by key and never deletes anything.
 * Called by the CLI and by the chat upload alike.
 *
 * The file is checked against the limits before it is parsed, and its rows are validated as they are
 * read (only the records of valid rows are kept, once). The writes then go in one short
 * all-or-nothing transaction (interface.md §3: an import validates before it takes the writer):
 * 检查对象名录库 through better-sqlite3 directly (targetsBulk.ts), the other lists through Prisma
 * (listWrite.ts, loaded only for them).
 *
 * `db` is the Prisma client, or the SQLite file alone: then `import targets` never loads the client
 * (~140 MB and a second of start-up), and another list opens one for the time of the import.
 */
export async function importFile(
  db: Db | string,
  buffer: Buffer,
  fileName: string,
  opts: ImportOptions,
): Promise<ImportReport> {
  const source = await openTable(buffer, fileName, opts.limits ?? DEFAULT_IMPORT_LIMITS);
  const kind = opts.kind ?? detectKind(source.headers);
  if (!kind) {
    throw new AppError(
      "UNKNOWN_KIND",
      `无法从表头识别名录种类。表头须与模板一致，可用「drbot template <种类>」生成模板。识别到的表头：${source.headers.join("、") || "（空）"}`,
    );
  }
  const spec = KIND_SPECS[kind];
  const toRecord = kind === "targets" ? targetRecord : APPLIERS[kind].toRecord;
  const validator = new TableValidator(kind, source.headers, toRecord as (v: Record<string, unknown>) => never);
  if (validator.headersOk) for await (const row of source.rows) validator.add(row);
  const { rows: records, errors } = validator.finish();
  const v: Validated = {
    kind,
    title: spec.title,
    fileName,
    fileHash: createHash("sha256").update(buffer).digest("hex"),
    records,
    errors,
    warnings: [],
    rejected() {
      const messages = errors.messages();
      return new AppError(
        "IMPORT_REJECTED",
        `${spec.title}未导入（共 ${messages.length} 处问题，未写入任何数据）：\n${messages.join("\n")}`,
        { errors: messages, kind },
      );
    },
  };
  if (!validator.headersOk) throw v.rejected();

  if (kind === "targets") {
    if (errors.size > 0) throw v.rejected();
    const file = typeof db === "string" ? db : await (await import("../draw/pool.js")).databaseFileOf(db);
    const counts = await writeTargets(file, records as never, {
      fileName,
      fileSha256: v.fileHash,
      actor: opts.actor,
      at: opts.at,
    });
    return { kind, title: spec.title, rows: records.length, ...counts, warnings: v.warnings };
  }

  const { writeList } = await import("./listWrite.js");
  if (typeof db !== "string") return writeList(db, v as Validated<ListKind>, opts);
  const client = (await import("../../store/db.js")).openDatabase(`file:${db}`);
  try {
    return await writeList(client, v as Validated<ListKind>, opts);
  } finally {
    await client.$disconnect();
  }
}
