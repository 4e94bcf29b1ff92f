import { PrismaBetterSqlite3 } from "@prisma/adapter-better-sqlite3";
import { PrismaClient } from "../generated/prisma/client";
import { migratedFile, sqliteFile } from "./sqliteFile";
import { baselineWasmOnly } from "./wasmFlags";

export type Db = PrismaClient;
export type { Prisma } from "../generated/prisma/client";
export { sqliteFile };

/** Opens the database, creating the file and applying pending migrations first. */
export function openDatabase(url: string): Db {
  const file = migratedFile(url);
  baselineWasmOnly(); // ~75 MB less per client (per thread)
  // timeout = SQLite busy timeout: a second process (CLI beside the bot) waits instead of failing.
  return new PrismaClient({ adapter: new PrismaBetterSqlite3({ url: `file:${file}`, timeout: 10_000 }) });
}
