import type BetterSqlite3 from "better-sqlite3";
import { PrismaClient, type Prisma } from "../generated/prisma/client";
import { SerialisedSqlite } from "./adapter";
import { shareQueryCompiler, type CompiledWasm } from "./queryCompiler";
import { migratedFile, sqliteFile } from "./sqliteFile";
import { baselineWasmOnly } from "./wasmFlags";

export type Db = PrismaClient;
/** A write transaction's client: what writeTx hands its callback (the one Tx type of the code base). */
export type Tx = Prisma.TransactionClient;
/** For reads and single writes that work inside or outside a transaction. */
export type DbOrTx = Tx | Db;
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
  const adapter = new SerialisedSqlite(file, { lockWaitMs: 10_000, beforeWrite: opts.beforeWrite });
  const db = new PrismaClient({ adapter });
  adapters.set(db, adapter);
  shareQueryCompiler(db, opts.queryCompiler); // one compiled copy per process, not per thread
  return db;
}

const adapters = new WeakMap<Db, SerialisedSqlite>();

/**
 * The better-sqlite3 connection that `db`'s open write transaction runs on, for bulk statements
 * run synchronously inside it (see SerialisedSqlite.writerInTransaction); null when there is none
 * (no transaction open, or a client not made by openDatabase): use Prisma then.
 */
export function writerInTransaction(db: Db): BetterSqlite3.Database | null {
  return adapters.get(db)?.writerInTransaction() ?? null;
}
