/**
 * npm run bench:publicity — the 公示 card and 「全部标记」 over many due results (default 5,000).
 * A card click must be answered within 3 s (the transaction's timeout is 2.5 s): prints the time to
 * read and render the listing, and to mark every listed result and re-render. Asserts nothing.
 */
import Database from "better-sqlite3";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { publicityCard } from "../cards/publicity";
import { cardBytes } from "../cards/kit";
import { withCheckChar } from "../src/domain/creditCode";
import { dueResults, markPublished } from "../src/features/publicity/service";
import { loadCalendar } from "../src/store/calendar";
import { openDatabase } from "../src/store/db";

const RESULTS = Number(process.env.BENCH_RESULTS ?? 5_000);
const TODAY = "2026-12-02";

function seed(file: string): void {
  const db = new Database(file);
  const now = new Date("2026-12-02T02:00:00Z").toISOString();
  db.exec("BEGIN");
  db.prepare(
    `INSERT INTO Item (code, name, category, targetType, ratioBp, updatedAt) VALUES ('B-1', '基准事项', '一般', '货运', 300, ?)`,
  ).run(now);
  db.prepare(
    `INSERT INTO Task (code, name, year, itemCode, startDate, endDate, updatedAt) VALUES ('B2026', '基准任务', 2026, 'B-1', '2026-01-01', '2026-12-31', ?)`,
  ).run(now);
  db.prepare(
    `INSERT INTO Draw (id, taskCode, attempt, status, poolHash, paramsHash, commitment, serverSeed, record, orderedBy, committedAt) VALUES ('B2026-1', 'B2026', 1, 'revealed', '', '', '', '', '{}', 'cli', ?)`,
  ).run(now);
  const target = db.prepare(
    `INSERT INTO Target (creditCode, name, type, status, updatedAt) VALUES (?, ?, '货运', '存续', ?)`,
  );
  const result = db.prepare(
    `INSERT INTO Result (drawId, targetId, inspectionDate, category, submittedBy, status, confirmedBy, confirmedAt, publicityDue) VALUES ('B2026-1', ?, '2026-11-01', '未发现问题', 'x', 'confirmed', 'y', ?, ?)`,
  );
  for (let k = 0; k < RESULTS; k++) {
    const code = withCheckChar(`91330122MA${String(k).padStart(7, "0")}`);
    target.run(code, `企业${k}`, now);
    result.run(code, new Date("2026-11-10T02:00:00Z").getTime(), k % 4 === 0 ? "2026-11-30" : "2026-12-20");
  }
  db.exec("COMMIT");
  db.close();
}

async function main(): Promise<void> {
  const dir = mkdtempSync(path.join(tmpdir(), "drbot-bench-pub-"));
  const file = path.join(dir, "bench.db");
  try {
    const prisma = openDatabase(`file:${file}`); // migrates
    await prisma.$queryRaw`SELECT 1`;
    seed(file);
    const tz = "Asia/Shanghai";
    // Warm-up (first query compiles Prisma's query plan cache), then measure.
    await prisma.$transaction(async (tx) =>
      dueResults(tx, { today: TODAY, timeZone: tz, calendar: await loadCalendar(tx), scope: { resultIds: [1] } }),
    );
    let t = performance.now();
    const rows = await prisma.$transaction(async (tx) =>
      dueResults(tx, { today: TODAY, timeZone: tz, calendar: await loadCalendar(tx) }),
    );
    const card = publicityCard({ rows, page: 0, today: TODAY, asOf: new Date().toISOString() });
    const listMs = performance.now() - t;
    t = performance.now();
    const outcome = await prisma.$transaction(
      async (tx) => {
        const calendar = await loadCalendar(tx);
        const o = await markPublished(tx, {
          scope: { asOf: new Date() },
          date: TODAY,
          actor: "bench",
          now: new Date(),
          today: TODAY,
          timeZone: tz,
          calendar,
        });
        publicityCard({
          rows: await dueResults(tx, { today: TODAY, timeZone: tz, calendar }),
          page: 0,
          today: TODAY,
          asOf: new Date().toISOString(),
        });
        return o;
      },
      { timeout: 60_000 },
    );
    const markMs = performance.now() - t;
    console.log(
      `公示 list of ${rows.length} due results: read + render ${listMs.toFixed(0)} ms (card ${cardBytes(card)} bytes)`,
    );
    console.log(
      `全部标记 of ${outcome.marked.length} results (mark + audit + re-render): ${markMs.toFixed(0)} ms (card answer budget 2500 ms)`,
    );
    await prisma.$disconnect();
  } finally {
    if (!process.env.BENCH_KEEP) rmSync(dir, { recursive: true, force: true });
    else console.log(file);
  }
}

void main();
