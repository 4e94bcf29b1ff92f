import { mkdirSync } from "node:fs";
import path from "node:path";
import { AppError } from "../domain/errors";
import { migrationsDir } from "../paths";
import { applyMigrations } from "./migrate";

// Kept apart from db.ts so that reading the configuration doesn't load the Prisma client.

/** The SQLite file a DATABASE_URL names; anything but `file:` is refused in Chinese and English. */
export function sqliteFile(url: string): string {
  if (!url.startsWith("file:")) {
    throw new AppError(
      "UNSUPPORTED_DATABASE",
      `DATABASE_URL 暂不支持「${url.split(":")[0]}」，目前只支持 SQLite（file:…）；PostgreSQL 为规划中的扩展方案 / only SQLite (file:) is supported for now`,
    );
  }
  const file = url.slice("file:".length).replace(/\?.*$/, "");
  if (file === "")
    throw new AppError("UNSUPPORTED_DATABASE", "DATABASE_URL 缺少文件路径 / DATABASE_URL has no file path");
  return path.resolve(file);
}

/** Creates the database file if needed and applies pending migrations (better-sqlite3 only); returns its path. */
export function migratedFile(url: string): string {
  const file = sqliteFile(url);
  mkdirSync(path.dirname(file), { recursive: true });
  applyMigrations(file, migrationsDir);
  return file;
}
