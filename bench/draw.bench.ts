/**
 * npm run bench:draw — 100,000 targets × 500 inspectors × 3 strata, in SQLite.
 *
 * Whole processes, as an operator runs them (interface.md §5; issue 8 §5):
 *  - `node bin/drbot.js draw B2026 --dry-run` (stdout to a file) against a bare better-sqlite3
 *    `select *` of the Target table in its own node process: wall time ratio (goal ≤ 1.5) and the
 *    draw's peak RSS (VmHWM; goal ≤ 200 MB); also the same with `--out record.json`;
 *  - commit + reveal (the bot's two transactions, through Prisma) in a fresh process each run.
 * Each figure is the median of BENCH_RUNS (default 5) runs; the two sides alternate so that a busy
 * machine slows both. A benchmark, not a test: it asserts nothing.
 */
import Database from "better-sqlite3";
import { spawnSync } from "node:child_process";
import { closeSync, copyFileSync, mkdtempSync, openSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { withCheckChar } from "../src/domain/creditCode";
import { selfPeakMb } from "./peak";

const TARGETS = Number(process.env.BENCH_TARGETS ?? 100_000);
const INSPECTORS = Number(process.env.BENCH_INSPECTORS ?? 500);
const RUNS = Number(process.env.BENCH_RUNS ?? 5);
// BENCH_ROOT: another checkout's drbot to compare against (e.g. the main branch), same harness and data.
const ROOT = process.env.BENCH_ROOT ?? path.join(__dirname, "..", "..");
const DRBOT = path.join(ROOT, "bin", "drbot.js");
const PRELOAD = path.join(__dirname, "peak-preload.js");

function seed(file: string): void {
  const db = new Database(file);
  const now = new Date().toISOString();
  db.exec("BEGIN");
  db.prepare(
    `INSERT INTO Item (code, name, category, targetType, ratioBp, updatedAt) VALUES ('B-1', '基准事项', '一般', '道路普通货物运输经营者', 300, ?)`,
  ).run(now);
  db.prepare(
    `INSERT INTO Task (code, name, year, itemCode, startDate, endDate, ratioLowBp, ratioMidBp, ratioHighBp, updatedAt) VALUES ('B2026', '基准任务', 2026, 'B-1', '2026-01-01', '2026-12-31', 300, 500, 1000, ?)`,
  ).run(now);
  // The same register as the figures in issue 8 were measured on (name, type, status, risk).
  const target = db.prepare(
    `INSERT INTO Target (creditCode, name, type, status, risk, updatedAt) VALUES (?, ?, '道路普通货物运输经营者', ?, ?, ?)`,
  );
  const risks = ["低", "低", "中", "中", "中", "高"];
  for (let k = 0; k < TARGETS; k++)
    target.run(
      withCheckChar(`91330122MA${String(k).padStart(7, "0")}`),
      `企业${k}`,
      k % 50 === 0 ? "注销" : "存续",
      risks[k % risks.length],
      now,
    );
  const inspector = db.prepare(
    `INSERT INTO Inspector (certNo, name, unit, roles, specialties, openId, status, updatedAt) VALUES (?, ?, ?, '执法人员', '道路运输', ?, '在岗', ?)`,
  );
  for (let k = 0; k < INSPECTORS; k++)
    inspector.run(`C${String(k).padStart(6, "0")}`, `人员${k}`, `单位${k % 5}`, `ou_bench_${k}`, now);
  const conflict = db.prepare(`INSERT INTO Conflict (certNo, creditCode, reason) VALUES (?, ?, '基准')`);
  for (let k = 0; k < 2000; k++)
    conflict.run(
      `C${String(k % INSPECTORS).padStart(6, "0")}`,
      withCheckChar(`91330122MA${String(k * 37).padStart(7, "0")}`),
    );
  db.exec("COMMIT");
  db.close();
}

/** Commit + reveal in this (fresh) process, through the bot's own service functions and Prisma. */
async function commitReveal(file: string): Promise<void> {
  const t0 = performance.now();
  const { openDatabase } = await import("../src/store/db.js");
  const { commitDraw, revealDraw } = await import("../src/features/draw/service.js");
  const db = openDatabase(`file:${file}`);
  const clock = { now: () => new Date() };
  const t1 = performance.now();
  const { commitment } = await commitDraw(db, { taskCode: "B2026", orderedBy: "ou_bench_leader" }, clock);
  const t2 = performance.now();
  const { record } = await revealDraw(
    db,
    { drawId: commitment.drawId, witnessOpenId: "ou_bench_witness", entropy: "bench" },
    clock,
  );
  const t3 = performance.now();
  await db.$disconnect();
  process.stdout.write(
    JSON.stringify({
      load: t1 - t0,
      commit: t2 - t1,
      reveal: t3 - t2,
      drawn: record.selection.targets.length,
      peakMb: selfPeakMb(),
      cpuMs: (process.cpuUsage().user + process.cpuUsage().system) / 1000,
    }),
  );
}

interface Run {
  ms: number;
  peakMb: number;
  cpuMs: number;
}

/** Runs `node [-r peak-preload] args…` with stdout to a file; wall time and the child's own peak RSS. */
function timed(args: string[], outFile: string, env: NodeJS.ProcessEnv = {}): Run {
  const peakFile = `${outFile}.peak`;
  const fd = openSync(outFile, "w");
  const t = performance.now();
  const child = spawnSync(process.execPath, ["-r", PRELOAD, ...args], {
    stdio: ["ignore", fd, "pipe"],
    env: { ...process.env, ...env, DRBOT_PEAK_FILE: peakFile },
    encoding: "utf8",
  });
  const ms = performance.now() - t;
  closeSync(fd);
  if (child.status !== 0) throw new Error(`${args.join(" ")} failed: ${child.stderr}`);
  return { ms, ...(JSON.parse(readFileSync(peakFile, "utf8")) as { peakMb: number; cpuMs: number }) };
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};
const list = (xs: number[]) => xs.map((x) => x.toFixed(0)).join(", ");
const mark = (ok: boolean) => (ok ? "OK" : "OVER");

async function main(): Promise<void> {
  const [mode, file] = process.argv.slice(2);
  if (mode === "--seed") {
    (await import("../src/store/sqliteFile.js")).migratedFile(`file:${file}`);
    return seed(file!);
  }
  if (mode === "--commit-reveal") return commitReveal(file!);

  const dir = mkdtempSync(path.join(tmpdir(), "drbot-bench-"));
  try {
    const db = path.join(dir, "bench.db");
    if (spawnSync(process.execPath, [__filename, "--seed", db], { stdio: "inherit" }).status !== 0)
      throw new Error("seeding failed");
    const env = { DATABASE_URL: `file:${db}`, LOG_LEVEL: "silent" };
    const out = path.join(dir, "out.txt");
    const recordFile = path.join(dir, "record.json");

    // Warm the OS file cache for both sides alike.
    timed([path.join(__dirname, "bare-read.js"), db], out);
    const bare: Run[] = [];
    const dry: Run[] = [];
    const dryOut: Run[] = [];
    for (let run = 0; run < RUNS; run++) {
      bare.push(timed([path.join(__dirname, "bare-read.js"), db], out));
      dry.push(timed([DRBOT, "draw", "B2026", "--dry-run"], out, env));
      dryOut.push(timed([DRBOT, "draw", "B2026", "--dry-run", "--out", recordFile], out, env));
    }
    const printed = readFileSync(out, "utf8").split("\n");

    const cr: {
      load: number;
      commit: number;
      reveal: number;
      drawn: number;
      peakMb: number;
      cpuMs: number;
      ms: number;
    }[] = [];
    for (let run = 0; run < RUNS; run++) {
      const copy = path.join(dir, `cr-${run}.db`);
      copyFileSync(db, copy);
      const t = performance.now();
      const child = spawnSync(process.execPath, [__filename, "--commit-reveal", copy], {
        encoding: "utf8",
        env: { ...process.env, ...env },
      });
      if (child.status !== 0) throw new Error(`commit+reveal failed: ${child.stderr}`);
      cr.push({ ...JSON.parse(child.stdout), ms: performance.now() - t });
      rmSync(copy, { force: true });
    }

    // Verified the way anyone would: `drbot verify` in its own process, from the record file alone.
    const verified = spawnSync(process.execPath, [DRBOT, "verify", recordFile], { encoding: "utf8" });

    const bareMs = median(bare.map((r) => r.ms));
    const dryMs = median(dry.map((r) => r.ms));
    const dryOutMs = median(dryOut.map((r) => r.ms));
    const crMs = median(cr.map((r) => r.ms));
    const peak = (rs: { peakMb: number }[]) => median(rs.map((r) => r.peakMb));
    console.log(
      `bench:draw  ${TARGETS} targets × ${INSPECTORS} inspectors × 3 strata; whole processes, median of ${RUNS} runs (wall ms; peak RSS = VmHWM)`,
    );
    console.log(`  ${printed[0]}`);
    console.log(`  ${printed.filter((l) => l.startsWith("【")).join("  ")}`);
    console.log(
      `  bare better-sqlite3 select * of Target:   ${bareMs.toFixed(0)} ms, peak ${peak(bare).toFixed(0)} MB   [runs: ${list(bare.map((r) => r.ms))}]`,
    );
    console.log(
      `  drbot draw --dry-run (stdout to a file):   ${dryMs.toFixed(0)} ms, peak ${peak(dry).toFixed(0)} MB   [runs: ${list(dry.map((r) => r.ms))}; MB: ${list(dry.map((r) => r.peakMb))}]`,
    );
    console.log(
      `    ratio ${(dryMs / bareMs).toFixed(2)} (goal ≤ 1.5) ${mark(dryMs / bareMs <= 1.5)}; peak ${mark(Math.max(...dry.map((r) => r.peakMb)) <= 200)} (goal ≤ 200 MB, worst run)`,
    );
    const cpu = (rs: Run[]) => median(rs.map((r) => r.cpuMs));
    console.log(
      `    CPU time (user+sys, every thread; steadier than wall time on a busy machine): draw ${cpu(dry).toFixed(0)} ms / bare ${cpu(bare).toFixed(0)} ms = ${(cpu(dry) / cpu(bare)).toFixed(2)}`,
    );
    console.log(
      `  … with --out record.json:                  ${dryOutMs.toFixed(0)} ms, peak ${peak(dryOut).toFixed(0)} MB   [runs: ${list(dryOut.map((r) => r.ms))}; MB: ${list(dryOut.map((r) => r.peakMb))}]`,
    );
    console.log(
      `    ratio ${(dryOutMs / bareMs).toFixed(2)} (goal ≤ 1.5) ${mark(dryOutMs / bareMs <= 1.5)}; peak ${mark(Math.max(...dryOut.map((r) => r.peakMb)) <= 200)} (goal ≤ 200 MB, worst run)`,
    );
    console.log(
      `    CPU time: ${cpu(dryOut).toFixed(0)} ms / bare ${cpu(bare).toFixed(0)} ms = ${(cpu(dryOut) / cpu(bare)).toFixed(2)}`,
    );
    console.log(
      `  commit + reveal (Prisma, the bot's transactions), whole process: ${crMs.toFixed(0)} ms (load ${median(cr.map((r) => r.load)).toFixed(0)}, commit ${median(cr.map((r) => r.commit)).toFixed(0)}, reveal ${median(cr.map((r) => r.reveal)).toFixed(0)}; ${cr[0]!.drawn} drawn), peak ${peak(cr).toFixed(0)} MB   [runs: ${list(cr.map((r) => r.ms))}; MB: ${list(cr.map((r) => r.peakMb))}]`,
    );
    console.log(
      `    CPU time: ${median(cr.map((r) => r.cpuMs)).toFixed(0)} ms / bare ${cpu(bare).toFixed(0)} ms = ${(median(cr.map((r) => r.cpuMs)) / cpu(bare)).toFixed(2)}`,
    );
    console.log(
      `    ratio ${(crMs / bareMs).toFixed(2)} (goal ≤ 1.5) ${mark(crMs / bareMs <= 1.5)}; peak ${mark(Math.max(...cr.map((r) => r.peakMb)) <= 200)} (goal ≤ 200 MB, worst run)`,
    );
    console.log(
      `  drbot verify of the last --out record: exit ${verified.status} (${verified.stdout.trim().split("\n").pop()})`,
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((e) => {
  console.error(e);
  process.exitCode = 1;
});
