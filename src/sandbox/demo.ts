import { DEMO_IMPORT_ORDER, demoCsv } from "../demo/data";
import { importFile } from "../features/imports/importer";
import type { Db } from "../store/db";

/** The sandbox starts with the demo bureau so there is something to look at and draw. */
export async function loadDemoIfEmpty(db: Db, at: Date): Promise<boolean> {
  if ((await db.item.count()) > 0 || (await db.target.count()) > 0) return false;
  const files = demoCsv();
  for (const kind of DEMO_IMPORT_ORDER) {
    await importFile(db, Buffer.from(files[kind], "utf8"), `demo-${kind}.csv`, {
      kind,
      actor: "sandbox",
      at,
      directory: null,
    });
  }
  return true;
}

/**
 * 「重置演示数据」: empties every table of the bureau (registers, plan, draws, results, audit, inbox,
 * outbox, settings) in one transaction, then loads the demo bureau again. The sandbox database only.
 */
export async function resetDemo(db: Db, at: Date): Promise<void> {
  const tables = await db.$queryRawUnsafe<{ name: string }[]>(
    "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name NOT LIKE '\\_prisma%' ESCAPE '\\' AND name NOT LIKE 'Sandbox%'",
  );
  const emptied = new Set(tables.map((t) => t.name));
  // Guards such as the audit log's append-only triggers refuse deletes; the demo's own history may
  // go, so they are lifted inside this transaction only and put back exactly as stored.
  const triggers = (
    await db.$queryRawUnsafe<{ name: string; tbl_name: string; sql: string }[]>(
      "SELECT name, tbl_name, sql FROM sqlite_master WHERE type = 'trigger'",
    )
  ).filter((t) => emptied.has(t.tbl_name));
  const quote = (name: string) => `"${name.replace(/"/g, '""')}"`;
  await db.$transaction(async (tx) => {
    await tx.$executeRawUnsafe("PRAGMA defer_foreign_keys = ON"); // every row goes, so no reference is left dangling at commit
    for (const t of triggers) await tx.$executeRawUnsafe(`DROP TRIGGER ${quote(t.name)}`);
    for (const t of tables) await tx.$executeRawUnsafe(`DELETE FROM ${quote(t.name)}`);
    for (const t of triggers) await tx.$executeRawUnsafe(t.sql);
  });
  await loadDemoIfEmpty(db, at);
}
