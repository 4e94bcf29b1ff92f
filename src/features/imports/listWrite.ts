import { recomputeDeadlines } from "../deadlines/recompute";
import { loadCalendar } from "../../store/calendar";
import { appendAudit } from "../../store/audit";
import type { Db } from "../../store/db";
import { writeTx } from "../../store/tx";
import { recordPlanVersions } from "../plan/versions";
import { APPLIERS, unchanged, type Applier, type ListKind } from "./appliers";
import type { ImportOptions, ImportReport, Validated } from "./importer";

/**
 * The write of a list other than 检查对象名录库 (items, inspectors, conflicts, holidays, plan: hundreds
 * of rows) through Prisma: the database checks and the diff against what is stored are read outside
 * the transaction, the writes then go in one all-or-nothing transaction that re-checks what may have
 * changed meanwhile. Loaded only for these lists, so `drbot import targets` never loads the client.
 */
export async function writeList(db: Db, v: Validated<ListKind>, opts: ImportOptions): Promise<ImportReport> {
  const { kind, records, errors, warnings, fileHash } = v;
  const applier = APPLIERS[kind] as unknown as Applier<Record<string, unknown>>;
  await applier.prepare?.(db, records, errors, opts.directory, warnings);
  if (errors.size > 0) throw v.rejected();

  const existing = await applier.existing(
    db,
    records.map((r) => applier.key(r.record)),
  );
  const fresh: Record<string, unknown>[] = [];
  const changed: { before: Record<string, unknown>; record: Record<string, unknown> }[] = [];
  let same = 0;
  for (const { record } of records) {
    const before = existing.get(applier.key(record));
    if (!before) fresh.push(record);
    else if (unchanged(before, record)) same++;
    else changed.push({ before, record });
  }
  existing.clear();

  return writeTx(
    db,
    async (tx) => {
      await applier.recheck?.(tx, records, errors);
      if (errors.size > 0) throw v.rejected();
      const calendarBefore = kind === "holidays" ? await loadCalendar(tx) : null;
      for (const { before, record } of changed) await applier.update(tx, before as never, record, opts.at);
      // A row created meanwhile by someone else makes createMany fail: the whole import rolls back.
      if (fresh.length > 0) await applier.create(tx, fresh);
      await appendAudit(tx, {
        at: opts.at,
        actor: opts.actor,
        action: `import.${kind}`,
        entity: kind,
        entityId: fileHash,
        data: {
          fileName: v.fileName,
          fileSha256: fileHash,
          rows: records.length,
          created: fresh.map((r) => applier.key(r)),
          updated: changed.map((c) => applier.key(c.record)),
          unchanged: same,
        },
      });
      // A new 节假日安排 moves open deadlines: recompute them now, in the same transaction.
      if (calendarBefore)
        warnings.push(
          ...(await recomputeDeadlines(tx, calendarBefore, await loadCalendar(tx), {
            now: opts.at,
            actor: opts.actor,
            batch: fileHash.slice(0, 16),
          })),
        );
      const report: ImportReport = {
        kind,
        title: v.title,
        rows: records.length,
        created: fresh.length,
        updated: changed.length,
        unchanged: same,
        warnings,
      };
      if (kind === "plan") {
        // 一公开 of the plan: a changed year gets a new version and a card on the announce group.
        const years = [
          ...records.map((r) => r.record["year"] as number),
          ...changed.map((c) => c.before["year"] as number),
        ];
        const plan = await recordPlanVersions(tx, {
          years,
          actor: opts.actor,
          at: opts.at,
          announceChatId: opts.announceChatId,
          bureauName: opts.bureauName,
        });
        warnings.push(...plan.warnings);
        report.planVersions = plan.versions;
      }
      return report;
    },
    { timeout: 10 * 60_000, maxWait: 60_000, budgetMs: 10 * 60_000 },
  );
}
