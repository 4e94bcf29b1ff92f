import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { DEMO_IMPORT_ORDER, demoCsv } from "../../src/demo/data";
import { importFile } from "../../src/features/imports/importer";
import { openDatabase, type Db } from "../../src/store/db";

export const NOW = new Date("2026-11-25T08:00:00Z");
export const clock = { now: () => NOW };

export function tempDir(): string {
  return mkdtempSync(path.join(tmpdir(), "drbot-test-"));
}

/** A fresh, migrated SQLite database in its own directory. */
export function freshDb(): { db: Db; url: string; dir: string } {
  const dir = tempDir();
  const url = `file:${path.join(dir, "test.db")}`;
  return { db: openDatabase(url), url, dir };
}

/** The demo bureau, imported through the real import path. */
export async function loadDemo(db: Db): Promise<void> {
  const files = demoCsv();
  for (const kind of DEMO_IMPORT_ORDER) {
    await importFile(db, Buffer.from(files[kind], "utf8"), `${kind}.csv`, {
      kind,
      actor: "test",
      at: NOW,
      directory: null,
    });
  }
}

/** Counts of every table, to prove that a rejected operation wrote nothing. */
export async function tableCounts(db: Db): Promise<Record<string, number>> {
  return {
    items: await db.item.count(),
    targets: await db.target.count(),
    revisions: await db.targetRevision.count(),
    inspectors: await db.inspector.count(),
    conflicts: await db.conflict.count(),
    holidays: await db.holiday.count(),
    tasks: await db.task.count(),
    draws: await db.draw.count(),
    assignments: await db.assignment.count(),
    audit: await db.auditLog.count(),
  };
}
