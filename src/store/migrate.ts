import Database from "better-sqlite3";
import { createHash, randomUUID } from "node:crypto";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import path from "node:path";

// Prisma's own DDL for its bookkeeping table on SQLite, so `prisma migrate status/deploy` accept our work.
const CREATE_MIGRATIONS_TABLE = `CREATE TABLE IF NOT EXISTS "_prisma_migrations" (
    "id"                    TEXT PRIMARY KEY NOT NULL,
    "checksum"              TEXT NOT NULL,
    "finished_at"           DATETIME,
    "migration_name"        TEXT NOT NULL,
    "logs"                  TEXT,
    "rolled_back_at"        DATETIME,
    "started_at"            DATETIME NOT NULL DEFAULT current_timestamp,
    "applied_steps_count"   INTEGER UNSIGNED NOT NULL DEFAULT 0
)`;

const now = () => new Date().toISOString().replace("Z", "+00:00");

interface Row {
  migration_name: string;
  finished_at: string | null;
  rolled_back_at: string | null;
}

/**
 * Applies prisma/migrations/<name>/migration.sql in name order, writing `_prisma_migrations` exactly
 * like `prisma migrate deploy` (no CLI or schema engine needed at run time). Returns what it applied.
 */
export function applyMigrations(dbFile: string, migrationsDir: string): string[] {
  const db = new Database(dbFile);
  try {
    db.pragma("journal_mode = WAL"); // readers don't block the writer; persists in the file
    db.exec(CREATE_MIGRATIONS_TABLE);
    const rows = db
      .prepare(`SELECT migration_name, finished_at, rolled_back_at FROM "_prisma_migrations" ORDER BY started_at`)
      .all() as Row[];
    const failed = rows.find((r) => r.finished_at === null && r.rolled_back_at === null);
    if (failed)
      throw new Error(`数据库迁移 ${failed.migration_name} 曾经失败，请先处理（prisma migrate resolve）再启动`);
    const applied = new Set(rows.filter((r) => r.rolled_back_at === null).map((r) => r.migration_name));
    const names = readdirSync(migrationsDir, { withFileTypes: true })
      .filter((d) => d.isDirectory() && existsSync(path.join(migrationsDir, d.name, "migration.sql")))
      .map((d) => d.name)
      .sort();
    const done: string[] = [];
    for (const name of names) {
      if (applied.has(name)) continue;
      const script = readFileSync(path.join(migrationsDir, name, "migration.sql"));
      const id = randomUUID();
      db.prepare(
        `INSERT INTO "_prisma_migrations" (id, checksum, started_at, migration_name, applied_steps_count) VALUES (?, ?, ?, ?, 0)`,
      ).run(id, createHash("sha256").update(script).digest("hex"), now(), name);
      try {
        db.exec(script.toString("utf8")); // not wrapped in a transaction, like Prisma (scripts toggle PRAGMA foreign_keys)
      } catch (e) {
        db.prepare(`UPDATE "_prisma_migrations" SET logs = ? WHERE id = ?`).run(String((e as Error).stack ?? e), id);
        throw e;
      }
      db.prepare(`UPDATE "_prisma_migrations" SET finished_at = ?, applied_steps_count = 1 WHERE id = ?`).run(
        now(),
        id,
      );
      done.push(name);
    }
    return done;
  } finally {
    db.close();
  }
}
