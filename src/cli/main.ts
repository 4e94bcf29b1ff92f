import { readFileSync, statSync, writeFileSync } from "node:fs";
import path from "node:path";
import { importLimits, loadConfig, type Config } from "../config";
import { clockFromConfig } from "../clock";
import { AppError, isAppError } from "../domain/errors";
import { errorOutcome } from "../bot/errorReply";
import { verify } from "../domain/draw/verify";
import type { DrawRecord } from "../domain/draw/types";
import type { ContactDirectory } from "../features/imports/importer";
import { IMPORT_KINDS, KIND_SPECS, type ImportKind } from "../features/imports/kinds";
import type { Db } from "../store/db";

// Heavy modules (exceljs alone takes ~0.4 s to load) are required by the commands that use them,
// so `drbot verify` and `drbot help` start instantly.
const workbook = () => import("../features/exports/workbook.js");
const importer = () => import("../features/imports/importer.js");
const drawService = () => import("../features/draw/service.js");
const stats = () => import("../features/stats/stats.js");
const store = () => import("../store/db.js");
const jobs = () => import("./jobs.js");
const cliPublicity = () => import("./publicity.js");

/** What a command prints and returns; main() turns it into stdout/stderr and the exit code. */
export interface Io {
  out(text: string): void;
  err(text: string): void;
  now(): Date;
}

const USAGE = `用法 / usage: drbot <命令>
  import <items|targets|inspectors|conflicts|holidays|plan> <文件.xlsx|文件.csv>   导入名录（全部正确才写入）
  template <种类> [--out 文件.xlsx]                                             生成导入模板
  draw <任务编号> --dry-run [--out 记录.json]                                    试抽（不保存）
  draw cancel <任务编号> --reason <文本>                                          取消尚待见证的抽取
  export draw <抽取编号|任务编号> [--out 文件.json|文件.xlsx]                     导出抽取记录或名单
  export publicity [--year 年度] [--out 文件.xlsx]                               导出公示结果（国家企业信用信息公示系统格式）
  publicity mark <任务编号>|--all [--date YYYY-MM-DD]                            标记已公示（公示日期默认今天）
  audit verify                                                                   校验审计日志哈希链
  verify <记录.json>                                                             离线核验抽取记录（不读数据库）
  stats [--year 年度]                                                            统计
  backup <文件>                                                                  在线备份数据库（机器人运行时也可）
  jobs run <digest|reminders|summary|all> [--at YYYY-MM-DD] [--force]           按某日运行督办、提醒、汇总并发送`;

/** Flags that take no value (interface.md §5): a word after them is a positional word, not their value. */
const BOOLEAN_FLAGS: ReadonlySet<string> = new Set(["dry-run", "force", "all", "help"]);

/** Splits `--name value` options from positional words; `--flag=value` works for every valued option. */
function parseArgs(argv: string[]): { words: string[]; opts: Map<string, string | true> } {
  const words: string[] = [];
  const opts = new Map<string, string | true>();
  for (let k = 0; k < argv.length; k++) {
    const a = argv[k]!;
    if (a === "-h") opts.set("help", true);
    else if (a.startsWith("--")) {
      const [name, inline] = a.slice(2).split("=", 2) as [string, string | undefined];
      if (BOOLEAN_FLAGS.has(name)) {
        if (inline !== undefined) throw usageError(`--${name} 不带值`);
        opts.set(name, true);
        continue;
      }
      const next = argv[k + 1];
      if (inline !== undefined) opts.set(name, inline);
      else if (next !== undefined && !next.startsWith("--")) opts.set(name, argv[++k]!);
      else opts.set(name, true);
    } else words.push(a);
  }
  return { words, opts };
}

const usageError = (msg: string) => new AppError("USAGE", `${msg}\n\n${USAGE}`);

function stringOpt(opts: Map<string, string | true>, name: string): string | undefined {
  const v = opts.get(name);
  if (v === true) throw usageError(`--${name} 需要一个值`);
  return v;
}

function yearOpt(opts: Map<string, string | true>, io: Io, config: Config): number {
  const y = stringOpt(opts, "year");
  if (y === undefined) return Number(clockFromConfig(config, io.now).today().slice(0, 4));
  if (!/^\d{4}$/.test(y)) throw usageError(`--year 应为四位年份，而不是「${y}」`);
  return Number(y);
}

function readInput(file: string, maxBytes = Infinity): Buffer {
  let size: number;
  try {
    size = statSync(file).size;
  } catch {
    throw new AppError("FILE_NOT_FOUND", `无法读取文件「${file}」`);
  }
  // Refused before it is read: an oversize file never enters memory.
  if (size > maxBytes)
    throw new AppError(
      "IMPORT_TOO_LARGE",
      `文件过大（${(size / 1024 / 1024).toFixed(1)} MB），导入上限为 ${(maxBytes / 1024 / 1024).toFixed(1)} MB（IMPORT_MAX_BYTES）。请拆分后分批导入。未写入任何数据。`,
    );
  try {
    return readFileSync(file);
  } catch {
    throw new AppError("FILE_NOT_FOUND", `无法读取文件「${file}」`);
  }
}

/** Runs one CLI command. Returns the exit code; never calls process.exit (tests run it in-process). */
export async function runCli(
  argv: string[],
  io: Io,
  env: NodeJS.ProcessEnv = process.env,
  directoryFor?: (c: Config) => ContactDirectory | null,
): Promise<number> {
  let db: Db | undefined;
  try {
    const { words, opts } = parseArgs(argv);
    const [command, ...rest] = words;
    if (!command || command === "help" || opts.has("help")) {
      // Asked for help (`drbot --help`, `drbot help`) → 0; a bare `drbot` is a usage error → 1.
      io.out(USAGE);
      return command || opts.has("help") ? 0 : 1;
    }
    if (command === "verify") {
      // Never opens the database: the record alone must prove the draw.
      const file = rest[0];
      if (!file) throw usageError("缺少记录文件");
      let record: unknown;
      try {
        record = JSON.parse(readInput(file).toString("utf8"));
      } catch (e) {
        if (isAppError(e)) throw e;
        throw new AppError("BAD_RECORD", `「${file}」不是有效的 JSON`);
      }
      const result = verify(record);
      for (const c of result.checks) io.out(`${c.ok ? "✓" : "✗"} ${c.label}${c.ok ? "" : `：${c.detail ?? "不一致"}`}`);
      io.out(result.ok ? "核验通过：抽取结果与记录一致 / verified" : "核验失败：记录与重算结果不一致 / MISMATCH");
      return result.ok ? 0 : 1;
    }
    if (command === "template") {
      const kind = parseKind(rest[0]);
      const out = stringOpt(opts, "out") ?? `${kind}-template.xlsx`;
      writeFileSync(out, await (await workbook()).templateWorkbook(kind));
      io.out(`已生成「${KIND_SPECS[kind].title}」模板：${out}`);
      return 0;
    }

    const config = loadConfig(env);
    let importBytes: Buffer | undefined;
    if (command === "import" && rest[1]) {
      // A hostile or oversize file is refused before the database and the spreadsheet reader load.
      const { preflight } = await import("../features/imports/limits.js");
      const limits = importLimits(config);
      importBytes = readInput(rest[1], limits.maxBytes); // read once: 18 MB for 100,000 targets
      preflight(importBytes, path.basename(rest[1]), limits);
    }
    if (command === "backup") {
      if (!rest[0]) throw usageError("缺少备份文件名");
      const { backupDatabase } = await import("./backup.js");
      const done = await backupDatabase(config.DATABASE_URL, rest[0]);
      io.out(`已备份：${done.file}（${done.pages} 页，${(done.bytes / 1024 / 1024).toFixed(1)} MB）`);
      return 0;
    }
    if (command === "draw" && rest[0] !== "cancel") {
      // A dry run reads the pool straight from the file: no Prisma client is loaded (time and memory at 100,000 targets).
      const task = rest[0];
      if (!task) throw usageError("缺少任务编号");
      if (!opts.has("dry-run")) {
        throw new AppError(
          "NOT_DRY_RUN",
          "正式抽取须在飞书群里公开进行（@机器人 抽取 任务编号，由见证人确认）；命令行只能试抽：drbot draw <任务编号> --dry-run",
        );
      }
      const { migratedFile } = await import("../store/sqliteFile.js");
      const { record, itemName, excludedDrawn } = await (
        await drawService()
      ).dryRun(migratedFile(config.DATABASE_URL), task, io);
      printDryRun(record, itemName, excludedDrawn, io);
      const out = stringOpt(opts, "out");
      if (out) {
        writeFileSync(out, JSON.stringify(record, null, 2) + "\n");
        io.out(`试抽记录已写入 ${out}（可用 drbot verify 核验）`);
      }
      return 0;
    }
    if (command === "import" && rest[0] === "targets") {
      // 检查对象名录库 is written through better-sqlite3 alone: the Prisma client (~140 MB) is never loaded.
      const { migratedFile } = await import("../store/sqliteFile.js");
      return await importCommand(migratedFile(config.DATABASE_URL), rest, io, config, directoryFor, importBytes);
    }
    db = (await store()).openDatabase(config.DATABASE_URL);
    switch (command) {
      case "import":
        return await importCommand(db, rest, io, config, directoryFor, importBytes);
      case "draw":
        return await cancelCommand(db, rest[1], opts, io, config); // a dry run never opens the client (above)
      case "publicity":
        return await (await cliPublicity()).publicityCommand(db, rest, opts, io, config, usageError);
      case "audit":
        return await (await cliPublicity()).auditCommand(db, rest, io, usageError);
      case "export":
        return await exportCommand(db, rest, opts, io, config);
      case "jobs":
        return await (await jobs()).jobsCommand(db, rest, opts, io, config);
      case "stats": {
        const year = yearOpt(opts, io, config);
        const { computeStats, formatStats } = await stats();
        io.out(formatStats(await computeStats(db, year, clockFromConfig(config, io.now).today())));
        return 0;
      }
      default:
        throw usageError(`未知命令「${command}」`);
    }
  } catch (e) {
    // Every CLI error exits 1 (interface.md §5). The operator at the terminal sees a fault's own message.
    const outcome = errorOutcome(e);
    io.err(outcome.known ? outcome.reply : `内部错误：${(e as Error)?.message ?? String(e)}`);
    return 1;
  } finally {
    await db?.$disconnect();
  }
}

/** `drbot draw cancel <任务编号> --reason <文本>`: as the chat command; the running bot tells the group (its outbox). */
async function cancelCommand(
  db: Db,
  task: string | undefined,
  opts: Map<string, string | true>,
  io: Io,
  config: Config,
): Promise<number> {
  if (!task) throw usageError("缺少任务编号");
  const reason = stringOpt(opts, "reason");
  if (!reason || reason.trim() === "") throw usageError("请用 --reason <文本> 写明取消原因");
  const { pendingDrawOf, cancelPendingDraw } = await import("../features/draw/cancel.js");
  const drawId = await db.$transaction(async (tx) => {
    const draw = await pendingDrawOf(tx, task);
    // Without Feishu configured there is no group to tell and no card to update: the cancellation alone is recorded.
    await cancelPendingDraw(tx, config.sandbox ? { ...draw, chatId: null, messageId: null } : draw, {
      by: "cli",
      byName: "命令行",
      reason,
      now: io.now(),
      patchCard: true,
    });
    return draw.id;
  });
  io.out(
    `已取消抽取 ${drawId}（原因：${reason.trim()}），记录保留，该任务可重新抽取${config.sandbox ? "" : "；工作群通知与卡片更新由运行中的机器人发送"}`,
  );
  return 0;
}

/** `drbot import <kind> <file>`: `db` is the Prisma client, or for 检查对象名录库 the SQLite file alone. */
async function importCommand(
  db: Db | string,
  rest: string[],
  io: Io,
  config: Config,
  directoryFor?: (c: Config) => ContactDirectory | null,
  bytesRead?: Buffer,
): Promise<number> {
  const kind = parseKind(rest[0]);
  const file = rest[1];
  if (!file) throw usageError("缺少要导入的文件");
  // Only a roster resolves mobiles: the other lists never load the Feishu SDK.
  const directory = kind !== "inspectors" ? null : directoryFor ? directoryFor(config) : await defaultDirectory(config);
  const limits = importLimits(config);
  const bytes = bytesRead ?? readInput(file, limits.maxBytes);
  const report = await (
    await importer()
  ).importFile(db, bytes, path.basename(file), {
    kind,
    actor: "cli",
    at: io.now(),
    directory,
    limits,
    announceChatId: config.LARK_ANNOUNCE_CHAT_ID,
    bureauName: config.BUREAU_NAME,
  });
  io.out(
    `${report.title}导入完成：共 ${report.rows} 行，新增 ${report.created}，更新 ${report.updated}，未变 ${report.unchanged}`,
  );
  for (const v of report.planVersions ?? [])
    io.out(
      `${v.year} 年度抽查计划第 ${v.version} 版已记录${v.announced ? "，计划卡片已排队发往公告群（由运行中的机器人发送）" : "（未设置公告群：绑定 公告 或 LARK_ANNOUNCE_CHAT_ID）"}`,
    );
  for (const w of report.warnings) io.err(`提示：${w}`);
  if (kind === "inspectors" && typeof db !== "string") {
    // Someone set 离岗 with open assignments: the 领导s get 「确认撤换」 cards (sent by the running bot's outbox).
    const { noticeWithdrawals } = await import("../features/tasks/withdrawal.js");
    const departed = await db.$transaction((tx) => noticeWithdrawals(tx, io.now(), config.BOT_ADMIN_OPEN_IDS));
    if (departed > 0) io.out(`${departed} 名离岗人员仍有未完成的检查任务，已请领导在卡片上确认撤换`);
  }
  return 0;
}

function parseKind(word: string | undefined): ImportKind {
  if (word && (IMPORT_KINDS as readonly string[]).includes(word)) return word as ImportKind;
  throw usageError(`名录种类应为 ${IMPORT_KINDS.join("|")}${word ? `，而不是「${word}」` : ""}`);
}

async function defaultDirectory(config: Config): Promise<ContactDirectory | null> {
  if (config.sandbox) return null;
  // Loaded only when needed: the SDK is large and most commands never talk to Feishu.
  const [{ createLarkClient }, { larkContactDirectory }] = await Promise.all([
    import("../lark/client.js"),
    import("../lark/contact.js"),
  ]);
  return larkContactDirectory(createLarkClient(config));
}

/** Alternates printed per stratum (spec §5); all of them are in the --out record. */
const DRY_RUN_ALTERNATES = 10;

function printDryRun(record: DrawRecord, itemName: string, excludedDrawn: number, io: Io): void {
  const lines = [
    `试抽（不保存，一次性随机种子）任务 ${record.task.code} ${record.task.name}｜事项 ${record.task.itemCode} ${itemName}｜${record.task.year} 年度`,
  ];
  if (excludedDrawn > 0)
    lines.push(`号池已排除 ${excludedDrawn} 户：本年度已因该事项被抽中（一般事项同一年度不重复抽查）`);
  const sizes = new Map<string, number>();
  for (const t of record.pool.targets) sizes.set(t.stratum, (sizes.get(t.stratum) ?? 0) + 1);
  for (const [stratum, count] of Object.entries(record.params.perStratum)) {
    lines.push(`【${stratum}风险】号池 ${sizes.get(stratum)} 户，抽取 ${count} 户：`);
    for (const t of record.selection.targets) if (t.stratum === stratum) lines.push(`  ${t.id}`);
    const alternates = record.selection.alternates[stratum as keyof typeof record.selection.alternates] ?? [];
    alternates.slice(0, DRY_RUN_ALTERNATES).forEach((id, k) => lines.push(`  候补${k + 1} ${id}`));
    if (alternates.length > DRY_RUN_ALTERNATES)
      lines.push(`  ……另有候补 ${alternates.length - DRY_RUN_ALTERNATES} 户（完整顺序见 --out 记录）`);
  }
  lines.push(
    `每户 ${record.params.inspectorsPerTarget} 名执法人员，共 ${record.pool.inspectors.length} 名可选；放宽“避免与上次同组”${record.selection.relaxations.length} 处`,
  );
  io.out(lines.join("\n")); // one write: a large draw prints thousands of lines
}

async function exportCommand(
  db: Db,
  rest: string[],
  opts: Map<string, string | true>,
  io: Io,
  config: Config,
): Promise<number> {
  const [what, id] = rest;
  if (what === "draw") {
    if (!id) throw usageError("缺少抽取编号或任务编号");
    const { publishedRecord, findDraw } = await drawService();
    const record = publishedRecord(await findDraw(db, id));
    const out = stringOpt(opts, "out") ?? `${record.drawId}.json`;
    if (out.toLowerCase().endsWith(".xlsx"))
      writeFileSync(out, await (await workbook()).drawWorkbook(db, record, config.TZ_BUREAU));
    else if (out.toLowerCase().endsWith(".json")) writeFileSync(out, JSON.stringify(record, null, 2) + "\n");
    else throw usageError("--out 应以 .json 或 .xlsx 结尾");
    io.out(`已导出抽取 ${record.drawId}：${out}`);
    return 0;
  }
  if (what === "publicity")
    return (await cliPublicity()).exportPublicity(db, yearOpt(opts, io, config), opts, io, config, usageError);
  throw usageError("export 后应为 draw 或 publicity");
}

/** Entry point of bin/drbot.js. */
export async function main(): Promise<void> {
  const code = await runCli(process.argv.slice(2), {
    out: (t) => process.stdout.write(t + "\n"),
    err: (t) => process.stderr.write(t + "\n"),
    now: () => new Date(),
  });
  process.exitCode = code;
}
