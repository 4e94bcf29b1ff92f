import { readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { loadConfig, type Config } from "../config";
import { clockFromConfig } from "../clock";
import { AppError, isAppError } from "../domain/errors";
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
  export draw <抽取编号|任务编号> [--out 文件.json|文件.xlsx]                     导出抽取记录或名单
  export publicity [--year 年度] [--out 文件.xlsx]                               导出公示结果（国家企业信用信息公示系统格式）
  publicity mark <任务编号>|--all [--date YYYY-MM-DD]                            标记已公示（公示日期默认今天）
  audit verify                                                                   校验审计日志哈希链
  verify <记录.json>                                                             离线核验抽取记录（不读数据库）
  stats [--year 年度]                                                            统计`;

/** Flags that never take a value (interface.md §5). */
const BOOLEAN_FLAGS = new Set(["dry-run", "force", "all"]);

/** Splits `--name value` options from positional words. */
function parseArgs(argv: string[]): { words: string[]; opts: Map<string, string | true> } {
  const words: string[] = [];
  const opts = new Map<string, string | true>();
  for (let k = 0; k < argv.length; k++) {
    const a = argv[k]!;
    if (a.startsWith("--")) {
      const [name, inline] = a.slice(2).split("=", 2) as [string, string | undefined];
      const next = argv[k + 1];
      if (inline !== undefined) opts.set(name, inline);
      else if (!BOOLEAN_FLAGS.has(name) && next !== undefined && !next.startsWith("--")) opts.set(name, argv[++k]!);
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

function readInput(file: string): Buffer {
  try {
    return readFileSync(file);
  } catch {
    throw new AppError("FILE_NOT_FOUND", `无法读取文件「${file}」`);
  }
}

/** Runs one CLI command. Returns the exit code; never calls process.exit (tests run it in-process). */
export async function runCli(argv: string[], io: Io, env: NodeJS.ProcessEnv = process.env, directoryFor?: (c: Config) => ContactDirectory | null): Promise<number> {
  let db: Db | undefined;
  try {
    const { words, opts } = parseArgs(argv);
    const [command, ...rest] = words;
    if (!command || command === "help" || opts.has("help")) {
      io.out(USAGE);
      return command ? 0 : 1;
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
    db = (await store()).openDatabase(config.DATABASE_URL);
    switch (command) {
      case "import": {
        const kind = parseKind(rest[0]);
        const file = rest[1];
        if (!file) throw usageError("缺少要导入的文件");
        const directory = directoryFor ? directoryFor(config) : await defaultDirectory(config);
        const report = await (await importer()).importFile(db, readInput(file), path.basename(file), { kind, actor: "cli", at: io.now(), directory, announceChatId: config.LARK_ANNOUNCE_CHAT_ID, bureauName: config.BUREAU_NAME });
        io.out(`${report.title}导入完成：共 ${report.rows} 行，新增 ${report.created}，更新 ${report.updated}，未变 ${report.unchanged}`);
        for (const v of report.planVersions ?? []) io.out(`${v.year} 年度抽查计划第 ${v.version} 版已记录${v.announced ? "，计划卡片已排队发往公告群（由运行中的机器人发送）" : "（未设置公告群：绑定 公告 或 LARK_ANNOUNCE_CHAT_ID）"}`);
        for (const w of report.warnings) io.err(`提示：${w}`);
        return 0;
      }
      case "draw": {
        const task = rest[0];
        if (!task) throw usageError("缺少任务编号");
        if (!opts.has("dry-run")) {
          throw new AppError("NOT_DRY_RUN", "正式抽取须在飞书群里公开进行（@机器人 抽取 任务编号，由见证人确认）；命令行只能试抽：drbot draw <任务编号> --dry-run");
        }
        const { record, itemName } = await (await drawService()).dryRun(db, task, io);
        printDryRun(record, itemName, io);
        const out = stringOpt(opts, "out");
        if (out) {
          writeFileSync(out, JSON.stringify(record, null, 2) + "\n");
          io.out(`试抽记录已写入 ${out}（可用 drbot verify 核验）`);
        }
        return 0;
      }
      case "publicity":
        return await (await cliPublicity()).publicityCommand(db, rest, opts, io, config, usageError);
      case "audit":
        return await (await cliPublicity()).auditCommand(db, rest, io, usageError);
      case "export":
        return await exportCommand(db, rest, opts, io, config);
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
    io.err(isAppError(e) ? e.message : `内部错误：${(e as Error).message}`);
    return 1;
  } finally {
    await db?.$disconnect();
  }
}

function parseKind(word: string | undefined): ImportKind {
  if (word && (IMPORT_KINDS as readonly string[]).includes(word)) return word as ImportKind;
  throw usageError(`名录种类应为 ${IMPORT_KINDS.join("|")}${word ? `，而不是「${word}」` : ""}`);
}

async function defaultDirectory(config: Config): Promise<ContactDirectory | null> {
  if (config.sandbox) return null;
  // Loaded only when needed: the SDK is large and most commands never talk to Feishu.
  const [{ createLarkClient }, { larkContactDirectory }] = await Promise.all([import("../lark/client.js"), import("../lark/contact.js")]);
  return larkContactDirectory(createLarkClient(config));
}

function printDryRun(record: DrawRecord, itemName: string, io: Io): void {
  io.out(`试抽（不保存，一次性随机种子）任务 ${record.task.code} ${record.task.name}｜事项 ${record.task.itemCode} ${itemName}｜${record.task.year} 年度`);
  const sizes = new Map<string, number>();
  for (const t of record.pool.targets) sizes.set(t.stratum, (sizes.get(t.stratum) ?? 0) + 1);
  for (const [stratum, count] of Object.entries(record.params.perStratum)) {
    io.out(`【${stratum}风险】号池 ${sizes.get(stratum)} 户，抽取 ${count} 户：`);
    for (const t of record.selection.targets.filter((x) => x.stratum === stratum)) io.out(`  ${t.id}`);
    const alternates = record.selection.alternates[stratum as keyof typeof record.selection.alternates] ?? [];
    alternates.slice(0, 3).forEach((id, k) => io.out(`  候补${k + 1} ${id}`));
  }
  io.out(`每户 ${record.params.inspectorsPerTarget} 名执法人员，共 ${record.pool.inspectors.length} 名可选；放宽“避免与上次同组”${record.selection.relaxations.length} 处`);
}

async function exportCommand(db: Db, rest: string[], opts: Map<string, string | true>, io: Io, config: Config): Promise<number> {
  const [what, id] = rest;
  if (what === "draw") {
    if (!id) throw usageError("缺少抽取编号或任务编号");
    const { publishedRecord, findDraw } = await drawService();
    const record = publishedRecord(await findDraw(db, id));
    const out = stringOpt(opts, "out") ?? `${record.drawId}.json`;
    if (out.toLowerCase().endsWith(".xlsx")) writeFileSync(out, await (await workbook()).drawWorkbook(db, record, config.TZ_BUREAU));
    else if (out.toLowerCase().endsWith(".json")) writeFileSync(out, JSON.stringify(record, null, 2) + "\n");
    else throw usageError("--out 应以 .json 或 .xlsx 结尾");
    io.out(`已导出抽取 ${record.drawId}：${out}`);
    return 0;
  }
  if (what === "publicity") return (await cliPublicity()).exportPublicity(db, yearOpt(opts, io, config), opts, io, config, usageError);
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
