import { mkdirSync } from "node:fs";
import path from "node:path";
import { AppError } from "../domain/errors";
import { PrismaClient } from "../generated/prisma/client";
import { migrationsDir } from "../paths";
import { SerialisedSqlite } from "./adapter";
import { applyMigrations } from "./migrate";

export type Db = PrismaClient;
export type { Prisma } from "../generated/prisma/client";

/** The SQLite file a DATABASE_URL names; anything but `file:` is refused in Chinese and English. */
export function sqliteFile(url: string): string {
  if (!url.startsWith("file:")) {
    throw new AppError("UNSUPPORTED_DATABASE", `DATABASE_URL 暂不支持「${url.split(":")[0]}」，目前只支持 SQLite（file:…）；PostgreSQL 为规划中的扩展方案 / only SQLite (file:) is supported for now`);
  }
  const file = url.slice("file:".length).replace(/\?.*$/, "");
  if (file === "") throw new AppError("UNSUPPORTED_DATABASE", "DATABASE_URL 缺少文件路径 / DATABASE_URL has no file path");
  return path.resolve(file);
}

/**
 * Opens the database, creating the file and applying pending migrations first. Writes take SQLite's
 * lock up front (BEGIN IMMEDIATE, waited for without blocking the thread; see adapter.ts), so a
 * second writer (the other thread, a CLI beside the bot) waits instead of failing.
 * `beforeWrite`: awaited before each write takes the lock (the processing thread yields to the intake).
 */
export function openDatabase(url: string, opts: { beforeWrite?: () => Promise<void> } = {}): Db {
  const file = sqliteFile(url);
  mkdirSync(path.dirname(file), { recursive: true });
  applyMigrations(file, migrationsDir);
  return new PrismaClient({ adapter: new SerialisedSqlite(file, { lockWaitMs: 10_000, beforeWrite: opts.beforeWrite }) });
}
