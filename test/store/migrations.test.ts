import { spawnSync } from "node:child_process";
import path from "node:path";
import Database from "better-sqlite3";
import { describe, expect, it } from "vitest";
import { projectRoot } from "../../src/paths";
import { openDatabase } from "../../src/store/db";
import { applyMigrations } from "../../src/store/migrate";
import { tempDir } from "../helpers/db";

const prisma = path.join(projectRoot, "node_modules", ".bin", "prisma");
const run = (args: string[], env: NodeJS.ProcessEnv = {}) =>
  spawnSync(prisma, args, {
    cwd: projectRoot,
    encoding: "utf8",
    env: { ...process.env, CHECKPOINT_DISABLE: "1", ...env },
  });

describe("database migrations", () => {
  it("schema.prisma and prisma/migrations are in sync (no un-migrated schema change)", () => {
    const r = run([
      "migrate",
      "diff",
      "--from-migrations",
      "prisma/migrations",
      "--to-schema",
      "prisma/schema.prisma",
      "--exit-code",
    ]);
    expect(r.status, `drift: create a migration (see README)\n${r.stdout}\n${r.stderr}`).toBe(0);
  });

  it("the start-up runner creates the file, and stock `prisma migrate status` accepts the result", () => {
    const file = path.join(tempDir(), "nested", "dir", "bot.db");
    openDatabase(`file:${file}`); // creates directories and the file, applies everything
    expect(applyMigrations(file, path.join(projectRoot, "prisma", "migrations"))).toEqual([]); // idempotent
    const status = run(["migrate", "status"], { DATABASE_URL: `file:${file}` });
    expect(status.status, status.stdout + status.stderr).toBe(0);
    expect(status.stdout).toMatch(/Database schema is up to date/);
  });

  it("refuses to start on a database whose earlier migration failed", () => {
    const file = path.join(tempDir(), "bad.db");
    const db = new Database(file);
    db.exec(
      `CREATE TABLE "_prisma_migrations" ("id" TEXT PRIMARY KEY NOT NULL, "checksum" TEXT NOT NULL, "finished_at" DATETIME, "migration_name" TEXT NOT NULL, "logs" TEXT, "rolled_back_at" DATETIME, "started_at" DATETIME NOT NULL DEFAULT current_timestamp, "applied_steps_count" INTEGER UNSIGNED NOT NULL DEFAULT 0)`,
    );
    db.prepare(
      `INSERT INTO "_prisma_migrations" (id, checksum, migration_name) VALUES ('1', 'x', '20261125000000_init')`,
    ).run();
    db.close();
    expect(() => openDatabase(`file:${file}`)).toThrow(/曾经失败/);
  });
});
