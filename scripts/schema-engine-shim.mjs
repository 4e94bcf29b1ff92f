#!/usr/bin/env node
// Offline stand-in for Prisma's native `schema-engine` binary (prisma.config.ts points
// PRISMA_SCHEMA_ENGINE_BINARY here). Speaks the binary's line-delimited JSON-RPC on stdio and
// forwards each call to the WASM schema engine (@prisma/schema-engine-wasm), which drives SQLite
// through @prisma/adapter-better-sqlite3. Tested with prisma 7.10.1 + schema-engine-wasm 8.1.0-2.
import { existsSync, readFileSync, rmSync } from "node:fs";
import path from "node:path";
import readline from "node:readline";
import * as wasm from "@prisma/schema-engine-wasm/schema_engine_bg";
import { PrismaBetterSqlite3 } from "@prisma/adapter-better-sqlite3";
import { bindMigrationAwareSqlAdapterFactory } from "@prisma/driver-adapter-utils";

// Prisma's own DDL for the migrations table on SQLite.
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

// CLI: schema-engine [--datamodels FILE]... [--datasource JSON] [--enabled-preview-features X]
//      [--extension-types JSON] [cli can-connect-to-database|create-database|drop-database]
const argv = process.argv.slice(2);
const datamodelFiles = [];
let datasource = {};
let cliCommand = null;
for (let i = 0; i < argv.length; i++) {
  if (argv[i] === "--datamodels") datamodelFiles.push(argv[++i]);
  else if (argv[i] === "--datasource") datasource = JSON.parse(argv[++i]);
  else if (argv[i] === "--enabled-preview-features" || argv[i] === "--extension-types") i++;
  else if (argv[i] === "cli") cliCommand = argv[++i];
  else if (argv[i] === "--version" || argv[i] === "-V") {
    console.log("schema-engine wasm-shim");
    process.exit(0);
  }
}
const url = datasource.url ?? process.env.DATABASE_URL ?? "file:./dev.db";

if (cliCommand) {
  // One-shot commands; for SQLite the database is just a file.
  const file = path.resolve(url.replace(/^file:/, "").replace(/\?.*$/, ""));
  if (cliCommand === "drop-database" && existsSync(file)) rmSync(file);
  if (cliCommand === "create-database") console.log(JSON.stringify({ result: path.basename(file) }));
  process.exit(0);
}

// Load the wasm by hand: the package's ESM entry does `import "./schema_engine_bg.wasm"`, which Node 20 can't.
globalThis.PRISMA_WASM_PANIC_REGISTRY = {
  message: "",
  set_message(m) {
    this.message = `RuntimeError: ${m}`;
  },
  get() {
    return this.message;
  },
};
const wasmFile = new URL("./schema_engine_bg.wasm", import.meta.resolve("@prisma/schema-engine-wasm/schema_engine_bg"));
const instance = new WebAssembly.Instance(new WebAssembly.Module(readFileSync(wasmFile)), {
  "./schema_engine_bg.js": wasm,
});
wasm.__wbg_set_wasm(instance.exports);
instance.exports.__wbindgen_start();
process.on("uncaughtException", (e) => {
  process.stderr.write(`schema-engine shim crashed: ${globalThis.PRISMA_WASM_PANIC_REGISTRY.message}\n${e.stack}\n`);
  process.exit(101);
});

const factory = new PrismaBetterSqlite3({ url });
let main;
const connectMain = factory.connect.bind(factory);
factory.connect = async () => {
  main = await connectMain();
  // Fix 1: on a fresh DB the wasm engine fails with P1014 (`_prisma_migrations` missing) instead of
  // treating the history as empty (`migrate dev`, `migrate status`). Create the table up front.
  await main.executeScript(CREATE_MIGRATIONS_TABLE);
  return main;
};
const connectShadow = factory.connectToShadowDb.bind(factory);
factory.connectToShadowDb = async () => {
  const shadow = await connectShadow();
  // Fix 2: the engine replays each migration.sql on the shadow DB with executeRaw, which
  // better-sqlite3 limits to ONE statement. Send argument-less SQL through executeScript (db.exec).
  const executeRaw = shadow.executeRaw.bind(shadow);
  shadow.executeRaw = async (q) => (q.args.length ? executeRaw(q) : (await shadow.executeScript(q.sql), 0));
  return shadow;
};
const datamodels = datamodelFiles.length
  ? datamodelFiles.map((f) => [f, readFileSync(f, "utf8")])
  : [["schema.prisma", 'datasource db {\n  provider = "sqlite"\n}\n']]; // e.g. `migrate diff`: connector only
const engine = await wasm.SchemaEngine.new(
  { datamodels },
  (line) => process.stderr.write(line + "\n"),
  bindMigrationAwareSqlAdapterFactory(factory),
);

const OVERRIDES = {
  // Fix 3: the wasm engine's SQLite reset only DELETEs rows (native deletes the file), so re-applying
  // migrations then fails with "table already exists". Drop every table and view instead.
  async reset() {
    if (!main) await engine.version(); // forces a connection
    const res = await main.queryRaw({
      sql: "SELECT type, name FROM sqlite_master WHERE type IN ('table','view') AND name NOT LIKE 'sqlite_%'",
      args: [],
      argTypes: [],
    });
    const drops = res.rows.map(([type, name]) => `DROP ${type === "view" ? "VIEW" : "TABLE"} IF EXISTS "${name}";`);
    await main.executeScript(
      ["PRAGMA foreign_keys=OFF;", ...drops, "PRAGMA foreign_keys=ON;", CREATE_MIGRATIONS_TABLE].join("\n"),
    );
    return null;
  },
  // Fix 4: evaluateDataLoss (and createMigration) only reuse the shadow schema cached by devDiagnostic; after
  // `migrate dev` applied pending migrations the cache misses ("SQLite shadow DB must be provided through an
  // external factory"). Refresh the cache through devDiagnostic, which does use the adapter's shadow DB.
  async evaluateDataLoss(params) {
    await engine.devDiagnostic({ migrationsList: params.migrationsList, filters: params.filters });
    return engine.evaluateDataLoss(params);
  },
  getDatabaseVersion: (params) => engine.version(params),
};

const send = (msg) => process.stdout.write(JSON.stringify({ jsonrpc: "2.0", ...msg }) + "\n");
let printId = 1e9;
let queue = Promise.resolve();
const rl = readline.createInterface({ input: process.stdin, crlfDelay: Infinity });
rl.on("line", (line) => {
  if (!line.trim()) return;
  const req = JSON.parse(line);
  if (!req.method) return; // the CLI's reply to one of our `print` requests
  queue = queue.then(async () => {
    try {
      const params = req.params ?? {};
      let result = OVERRIDES[req.method] ? await OVERRIDES[req.method](params) : await engine[req.method](params);
      if (req.method === "diff" && typeof result?.stdout === "string") {
        // The native engine prints diffs through a `print` request; the wasm one returns them.
        if (result.stdout)
          send({ id: printId++, method: "print", params: { content: result.stdout.replace(/\n$/, "") } });
        result = { exitCode: result.exitCode };
      }
      send({ id: req.id, result: result ?? null });
    } catch (e) {
      const panic = globalThis.PRISMA_WASM_PANIC_REGISTRY.message;
      globalThis.PRISMA_WASM_PANIC_REGISTRY.message = "";
      const data = panic
        ? { is_panic: true, message: panic, error: { message: panic } }
        : { is_panic: false, message: e?.message ?? String(e), meta: e?.meta ?? null, error_code: e?.code ?? null };
      send({ id: req.id, error: { code: 4466, message: data.message, data } });
    }
  });
});
rl.on("close", () => queue.then(() => process.exit(0)));
