import { PrismaClient } from "../generated/prisma/client";
import { SerialisedSqlite } from "./adapter";
import { shareQueryCompiler, type CompiledWasm } from "./queryCompiler";
import { migratedFile, sqliteFile } from "./sqliteFile";
import { baselineWasmOnly } from "./wasmFlags";

export type Db = PrismaClient;
export type { Prisma } from "../generated/prisma/client";
export { sqliteFile };

/**
 * Opens the database, creating the file and applying pending migrations first. Writes take SQLite's
 * lock up front (BEGIN IMMEDIATE, waited for without blocking the thread; see adapter.ts), so a
 * second writer (the other thread, a CLI beside the bot) waits instead of failing.
 * `beforeWrite`: awaited before each write takes the lock (the processing thread yields to the intake).
 * `queryCompiler`: the query compiler as the parent thread compiled it (see queryCompiler.ts).
 */
export function openDatabase(
  url: string,
  opts: { beforeWrite?: () => Promise<void>; queryCompiler?: CompiledWasm } = {},
): Db {
  const file = migratedFile(url);
  baselineWasmOnly(); // ~75 MB less per client (per thread)
  const db = new PrismaClient({
    adapter: new SerialisedSqlite(file, { lockWaitMs: 10_000, beforeWrite: opts.beforeWrite }),
  });
  shareQueryCompiler(db, opts.queryCompiler); // one compiled copy per process, not per thread
  return db;
}
