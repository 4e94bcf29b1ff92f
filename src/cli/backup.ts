import { existsSync, renameSync, rmSync, statSync } from "node:fs";
import path from "node:path";
import { AppError } from "../domain/errors";
import { sqliteFile } from "../store/db";

/**
 * `drbot backup <file>`: an online, consistent copy through SQLite's backup API while the bot runs.
 * All pages are copied in one step under one read snapshot (WAL: the bot keeps writing meanwhile),
 * so a busy bot can't make the copy restart forever. The copy is written beside the target and
 * renamed into place, so a file with the target's name is always a complete backup.
 */
export async function backupDatabase(
  databaseUrl: string,
  out: string,
): Promise<{ file: string; bytes: number; pages: number }> {
  const source = sqliteFile(databaseUrl);
  if (!existsSync(source)) throw new AppError("NO_DATABASE", `数据库文件不存在：${source}（请检查 DATABASE_URL）`);
  const target = path.resolve(out);
  if (target === source) throw new AppError("BACKUP_TARGET", "备份文件不能是数据库本身");
  if (existsSync(target)) throw new AppError("BACKUP_TARGET", `「${out}」已存在，不会覆盖；请换一个文件名`);
  if (!existsSync(path.dirname(target))) throw new AppError("BACKUP_TARGET", `目录不存在：${path.dirname(target)}`);
  const partial = `${target}.partial-${process.pid}`;
  // better-sqlite3 directly: no migrations, no Prisma engine for a file copy.
  const { default: Database } = await import("better-sqlite3");
  const db = new Database(source, { fileMustExist: true, timeout: 10_000 });
  try {
    const progress = await db.backup(partial, { progress: () => 0x7fffffff });
    const copy = new Database(partial, { fileMustExist: true });
    try {
      const check = copy.pragma("quick_check", { simple: true });
      if (check !== "ok") throw new AppError("BACKUP_BROKEN", `备份校验失败：${String(check)}`);
      copy.pragma("journal_mode = DELETE"); // one self-contained file
    } finally {
      copy.close();
    }
    renameSync(partial, target);
    return { file: target, bytes: statSync(target).size, pages: progress.totalPages };
  } catch (e) {
    rmSync(partial, { force: true });
    throw e;
  } finally {
    db.close();
  }
}
