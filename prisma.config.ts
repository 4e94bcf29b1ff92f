import { chmodSync, mkdirSync } from "node:fs";
import path from "node:path";
import { defineConfig } from "prisma/config";

// Offline: Prisma 7's CLI would download a native `schema-engine` binary, which cannot be fetched here.
// Point it at the WASM-backed stand-in instead; an explicit env var still wins.
const shim = path.join(__dirname, "scripts", "schema-engine-shim.mjs");
try {
  chmodSync(shim, 0o755);
} catch {
  /* read-only checkout: rely on the committed mode */
}
process.env.PRISMA_SCHEMA_ENGINE_BINARY ??= shim;
process.env.CHECKPOINT_DISABLE ??= "1";

// The shim opens the SQLite file through better-sqlite3, which cannot create missing directories.
const url = process.env.DATABASE_URL ?? "file:./data/bot.db";
const file = url.replace(/^file:/, "").replace(/\?.*$/, "");
if (file !== ":memory:") mkdirSync(path.dirname(path.resolve(__dirname, file)), { recursive: true });

export default defineConfig({
  schema: "prisma/schema.prisma",
  migrations: { path: "prisma/migrations" },
  datasource: { url },
});
