/**
 * npm run bench:import — the real CLI (`bin/drbot.js import targets …`) in a fresh process per file,
 * timed from spawn to exit, with the whole process's peak RSS (getrusage, reported at exit):
 *   - the cell bomb (.xlsx of a few KB with one cell at XFD1048576): refused, goal < 1 s and < 150 MB;
 *   - 100,000 targets as CSV (~15 MB) and as .xlsx: imported, goal ≤ 10 s and ≤ 200 MB each.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { cellBombXlsx, targetsCsv, targetsXlsx } from "./import-files";

const ROWS = Number(process.env.BENCH_ROWS ?? 100_000);
const root = path.join(__dirname, "..", "..");
const bin = path.join(root, "bin", "drbot.js");

interface Run {
  name: string;
  bytes: number;
  code: number | null;
  seconds: number;
  cpuSeconds: number; // user + system: what the import costs when the machine is shared
  peakMb: number;
  out: string;
}

function run(name: string, dir: string, file: string): Run {
  const db = path.join(dir, `${name}.db`);
  const preload = path.join(dir, "rss.js");
  const started = process.hrtime.bigint();
  // No Feishu app: the import must not need one (an empty LARK_APP_ID is refused by the config, so unset it).
  const { LARK_APP_ID: _id, LARK_APP_SECRET: _secret, ...env } = process.env;
  const r = spawnSync(process.execPath, ["-r", preload, bin, "import", "targets", file], {
    env: { ...env, DATABASE_URL: `file:${db}` },
    encoding: "utf8",
    maxBuffer: 64 * 1024 * 1024,
  });
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  const usage = /@@maxrss (\d+) (\d+)/.exec(r.stderr);
  const out = (r.stdout + r.stderr.replace(/@@maxrss \d+ \d+\n?/, "")).trim().split("\n")[0]!.slice(0, 160);
  return {
    name,
    bytes: statSync(file).size,
    code: r.status,
    seconds,
    cpuSeconds: Number(usage?.[2]) / 1e6,
    peakMb: Number(usage?.[1]) / 1024,
    out,
  };
}

async function main(): Promise<void> {
  const dir = mkdtempSync(path.join(tmpdir(), "drbot-import-"));
  try {
    writeFileSync(
      path.join(dir, "rss.js"),
      "process.on('exit', () => { const u = process.resourceUsage(); process.stderr.write('@@maxrss ' + u.maxRSS + ' ' + (u.userCPUTime + u.systemCPUTime) + '\\n'); });\n",
    );
    const bomb = path.join(dir, "bomb.xlsx");
    writeFileSync(bomb, await cellBombXlsx());
    const csv = path.join(dir, `targets-${ROWS}.csv`);
    writeFileSync(csv, targetsCsv(ROWS));
    const xlsx = path.join(dir, `targets-${ROWS}.xlsx`);
    writeFileSync(xlsx, await targetsXlsx(ROWS));

    const runs = [run("bomb", dir, bomb), run("csv", dir, csv), run("xlsx", dir, xlsx)];
    const goals: Record<string, { code: number; seconds: number; mb: number }> = {
      bomb: { code: 1, seconds: 1, mb: 150 },
      csv: { code: 0, seconds: 10, mb: 200 },
      xlsx: { code: 0, seconds: 10, mb: 200 },
    };
    let ok = true;
    for (const r of runs) {
      const g = goals[r.name]!;
      const pass = r.code === g.code && r.seconds < g.seconds && r.peakMb < g.mb;
      ok &&= pass;
      console.log(
        `${pass ? "PASS" : "FAIL"} ${r.name.padEnd(5)} ${(r.bytes / 1024 / 1024).toFixed(2).padStart(6)} MB file  exit ${r.code}  ${r.seconds.toFixed(2)} s (goal < ${g.seconds} s)  peak RSS ${r.peakMb.toFixed(0)} MB (goal < ${g.mb} MB), CPU ${r.cpuSeconds.toFixed(2)} s\n      ${r.out}`,
      );
    }
    process.exitCode = ok ? 0 : 1;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

void main();
