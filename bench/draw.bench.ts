/**
 * npm run bench:draw — 100,000 targets × 500 inspectors × 3 strata, read from SQLite.
 * Prints the pool read time, the draw time (freeze + reveal: every ticket, every team) and their
 * ratio (goal ≤ 1.5), and peak RSS (goal ≤ 200 MB). A benchmark, not a test: it asserts nothing.
 */
import Database from "better-sqlite3";
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { withCheckChar } from "../src/domain/creditCode";
import { freeze, reveal } from "../src/domain/draw/record";
import { readPool } from "../src/features/draw/pool";
import { randomHex } from "../src/features/draw/service";
import { openDatabase } from "../src/store/db";

const TARGETS = Number(process.env.BENCH_TARGETS ?? 100_000);
const INSPECTORS = Number(process.env.BENCH_INSPECTORS ?? 500);
const RUNS = 5;

function seed(file: string): void {
  const db = new Database(file);
  const now = new Date().toISOString();
  db.exec("BEGIN");
  db.prepare(`INSERT INTO Item (code, name, category, targetType, ratioBp, updatedAt) VALUES ('B-1', '基准事项', '一般', '道路普通货物运输经营者', 300, ?)`).run(now);
  db.prepare(`INSERT INTO Task (code, name, year, itemCode, startDate, endDate, ratioLowBp, ratioMidBp, ratioHighBp, updatedAt) VALUES ('B2026', '基准任务', 2026, 'B-1', '2026-01-01', '2026-12-31', 300, 500, 1000, ?)`).run(now);
  const target = db.prepare(`INSERT INTO Target (creditCode, name, type, status, risk, updatedAt) VALUES (?, ?, '道路普通货物运输经营者', ?, ?, ?)`);
  const risks = ["低", "低", "中", "中", "中", "高"];
  for (let k = 0; k < TARGETS; k++) target.run(withCheckChar(`91330122MA${String(k).padStart(7, "0")}`), `企业${k}`, k % 50 === 0 ? "注销" : "存续", risks[k % risks.length], now);
  const inspector = db.prepare(`INSERT INTO Inspector (certNo, name, unit, roles, specialties, openId, status, updatedAt) VALUES (?, ?, ?, '执法人员', '道路运输', ?, '在岗', ?)`);
  for (let k = 0; k < INSPECTORS; k++) inspector.run(`C${String(k).padStart(6, "0")}`, `人员${k}`, `单位${k % 5}`, `ou_bench_${k}`, now);
  const conflict = db.prepare(`INSERT INTO Conflict (certNo, creditCode, reason) VALUES (?, ?, '基准')`);
  for (let k = 0; k < 2000; k++) conflict.run(`C${String(k % INSPECTORS).padStart(6, "0")}`, withCheckChar(`91330122MA${String(k * 37).padStart(7, "0")}`));
  db.exec("COMMIT");
  db.close();
}

/** One measured draw in this (fresh) process: read the pool, freeze and reveal; report times and peak RSS. */
async function oneRun(file: string, run: number, recordFile: string | undefined): Promise<void> {
  const prisma = openDatabase(`file:${file}`);
  let t = performance.now();
  const input = await readPool(prisma, "B2026");
  const read = performance.now() - t;
  t = performance.now();
  const serverSeed = randomHex();
  const commitment = freeze({ drawId: `B2026-${run}`, task: input.task, pool: input.pool, params: input.params, serverSeed, committedAt: new Date().toISOString() });
  const record = reveal(commitment, serverSeed, { openId: "ou_bench", entropy: `bench-${run}`, at: new Date().toISOString() });
  const draw = performance.now() - t;
  const rssMb = process.resourceUsage().maxRSS / 1024;
  await prisma.$disconnect();
  if (recordFile) writeFileSync(recordFile, JSON.stringify(record));
  const summary = `pool: ${input.pool.targets.length} targets, ${input.pool.inspectors.length} inspectors, ${input.pool.conflicts.length} conflicts; drew ${JSON.stringify(record.params.perStratum)} = ${record.selection.targets.length} targets`;
  process.stdout.write(JSON.stringify({ read, draw, rssMb, summary }));
}

async function main(): Promise<void> {
  const [mode, file, arg] = process.argv.slice(2);
  if (mode === "--seed") {
    openDatabase(`file:${file}`); // migrate
    return seed(file!);
  }
  if (mode === "--run") return oneRun(file!, Number(arg), process.argv[5]);

  // Each run is a fresh process, like one 抽取 in a freshly started bot: its peak RSS is that draw's.
  const dir = mkdtempSync(path.join(tmpdir(), "drbot-bench-"));
  const db = path.join(dir, "bench.db");
  const recordFile = path.join(dir, "record.json");
  if (spawnSync(process.execPath, [__filename, "--seed", db], { stdio: "inherit" }).status !== 0) throw new Error("seeding failed");
  const runs: { read: number; draw: number; rssMb: number; summary: string }[] = [];
  for (let run = 0; run < RUNS; run++) {
    const child = spawnSync(process.execPath, [__filename, "--run", db, String(run), ...(run === RUNS - 1 ? [recordFile] : [])], { encoding: "utf8" });
    if (child.status !== 0) throw new Error(`run ${run} failed: ${child.stderr}`);
    runs.push(JSON.parse(child.stdout));
  }

  // Verified the way anyone would: `drbot verify` in its own process, from the record file alone.
  const t = performance.now();
  const verified = spawnSync(process.execPath, [path.join(__dirname, "..", "..", "bin", "drbot.js"), "verify", recordFile], { encoding: "utf8" });
  const verifyMs = performance.now() - t;
  rmSync(dir, { recursive: true, force: true });

  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
  const read = median(runs.map((r) => r.read));
  const draw = median(runs.map((r) => r.draw));
  const rssMb = Math.max(...runs.map((r) => r.rssMb));
  const ratio = draw / read;
  const list = (xs: number[]) => xs.map((x) => x.toFixed(0)).join(", ");
  console.log(`bench:draw  ${TARGETS} targets × ${INSPECTORS} inspectors × 3 strata (median of ${RUNS} runs, each in a fresh process)`);
  console.log(`  ${runs[0]!.summary}`);
  console.log(`  pool read (SQLite → frozen pool, via Prisma): ${read.toFixed(0)} ms   [runs: ${list(runs.map((r) => r.read))}]`);
  console.log(`  draw (freeze + reveal: hashes, tickets, selection, teams): ${draw.toFixed(0)} ms   [runs: ${list(runs.map((r) => r.draw))}]`);
  console.log(`  ratio draw / pool read: ${ratio.toFixed(2)}  (goal ≤ 1.5) ${ratio <= 1.5 ? "OK" : "OVER"}`);
  console.log(`  peak RSS (worst run): ${rssMb.toFixed(0)} MB  (goal ≤ 200 MB) ${rssMb <= 200 ? "OK" : "OVER"}   [runs: ${list(runs.map((r) => r.rssMb))}]`);
  console.log(`  drbot verify of the last record: exit ${verified.status} in ${verifyMs.toFixed(0)} ms (${verified.stdout.trim().split("\n").pop()})`);
}

main().catch((e) => {
  console.error(e);
  process.exitCode = 1;
});
