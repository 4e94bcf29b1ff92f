import { writeFileSync } from "node:fs";
import { clockFromConfig } from "../clock";
import type { Config } from "../config";
import { AppError } from "../domain/errors";
import { parsePickedDate } from "../domain/publicity";
import type { Db } from "../store/db";

// Kept out of main.ts so that `drbot verify` never loads these (exceljs is slow to load).
type Opts = Map<string, string | true>;
interface Io {
  out(text: string): void;
  err(text: string): void;
  now(): Date;
}

const value = (opts: Opts, name: string, usage: (m: string) => Error): string | undefined => {
  const v = opts.get(name);
  if (v === true) throw usage(`--${name} 需要一个值`);
  return v;
};

/** `drbot publicity mark <任务编号>|--all [--date YYYY-MM-DD]`: prints 「已标记 N 条」. */
export async function publicityCommand(
  db: Db,
  rest: string[],
  opts: Opts,
  io: Io,
  config: Config,
  usage: (m: string) => Error,
): Promise<number> {
  const [what, taskCode] = rest;
  if (what !== "mark") throw usage("publicity 后应为 mark");
  const all = opts.get("all") === true;
  if (all === Boolean(taskCode)) throw usage("请给出任务编号，或用 --all 标记全部待公示结果（二者选一）");
  const today = clockFromConfig(config, io.now).today();
  const rawDate = value(opts, "date", usage);
  const date = rawDate === undefined ? today : parsePickedDate(rawDate);
  if (!date) throw usage(`--date 应为 YYYY-MM-DD，而不是「${rawDate}」`);
  if (taskCode && !(await db.task.findUnique({ where: { code: taskCode } })))
    throw new AppError("TASK_NOT_FOUND", `找不到任务编号「${taskCode}」`);
  const [{ markPublished }, { loadCalendar }] = await Promise.all([
    import("../features/publicity/service.js"),
    import("../store/calendar.js"),
  ]);
  const outcome = await db.$transaction(async (tx) =>
    markPublished(tx, {
      scope: taskCode ? { taskCode } : {},
      date,
      actor: "cli",
      now: io.now(),
      today,
      timeZone: config.TZ_BUREAU,
      calendar: await loadCalendar(tx),
    }),
  );
  for (const s of outcome.skipped)
    io.err(`未标记 ${s.row.creditCode} ${s.row.targetName}（${s.row.taskCode}）：${s.why}`);
  io.out(`已标记 ${outcome.marked.length} 条`);
  return 0;
}

/** `drbot export publicity [--year Y] [--out f.xlsx]` with the §5 columns. */
export async function exportPublicity(
  db: Db,
  year: number,
  opts: Opts,
  io: Io,
  config: Config,
  usage: (m: string) => Error,
): Promise<number> {
  const out = value(opts, "out", usage) ?? `publicity-${year}.xlsx`;
  if (!out.toLowerCase().endsWith(".xlsx")) throw usage("--out 应以 .xlsx 结尾");
  const { publicityRows, publicityWorkbook, NO_BUREAU_NAME } = await import("../features/publicity/export.js");
  const rows = await publicityRows(db, {
    year,
    today: clockFromConfig(config, io.now).today(),
    bureauName: config.BUREAU_NAME,
  });
  writeFileSync(out, await publicityWorkbook(rows));
  if (!config.BUREAU_NAME) io.err(`提示：${NO_BUREAU_NAME}`);
  io.out(`已导出 ${year} 年度抽查结果 ${rows.length} 条：${out}`);
  return 0;
}

/** `drbot audit verify`: exit 0 with 「审计日志完整：N 条」, or 1 naming the first broken row by seq. */
export async function auditCommand(db: Db, rest: string[], io: Io, usage: (m: string) => Error): Promise<number> {
  if (rest[0] !== "verify") throw usage("audit 后应为 verify");
  const { verifyAuditChain } = await import("../store/audit.js");
  const r = await verifyAuditChain(db);
  if (r.ok) {
    io.out(`审计日志完整：${r.entries} 条`);
    return 0;
  }
  io.err(`审计日志被篡改或损坏：第一处不符的记录 seq=${r.brokenAt}（之前 ${r.entries} 条完好）`);
  return 1;
}
