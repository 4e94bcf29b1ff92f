import { planCard, floorWarning, type PlanCardTask } from "../../../cards/plan";
import { canonicalJson, sha256Hex } from "../../domain/canonical";
import type { Stratum } from "../../domain/draw/types";
import { diffPlans, noChanges, taskCoverage, type PlanTask } from "../../domain/plan";
import { enqueueMessage } from "../../lark/outbox";
import { appendAudit } from "../../store/audit";
import type { Tx } from "../../store/db";
import { settingValue } from "../admin/register";
import { ACTIVE_STATUSES } from "../imports/kinds";

const toPlanTask = (t: PlanTask): PlanTask => ({
  code: t.code,
  name: t.name,
  itemCode: t.itemCode,
  startDate: t.startDate,
  endDate: t.endDate,
  ratioLowBp: t.ratioLowBp,
  ratioMidBp: t.ratioMidBp,
  ratioHighBp: t.ratioHighBp,
  inspectorsPerTarget: t.inspectorsPerTarget,
  jointUnits: t.jointUnits,
});

/** Each task of a year with its item and what it would check against the item's current pool. */
async function withCoverage(tx: Tx, tasks: PlanTask[]): Promise<PlanCardTask[]> {
  const items = new Map((await tx.item.findMany()).map((i) => [i.code, i]));
  const pools = new Map<string, Partial<Record<Stratum, number>>>();
  const out: PlanCardTask[] = [];
  for (const t of tasks) {
    const item = items.get(t.itemCode);
    if (item && !pools.has(item.targetType)) {
      const groups = await tx.target.groupBy({
        by: ["risk"],
        where: { type: item.targetType, status: { in: [...ACTIVE_STATUSES] } },
        _count: { _all: true },
      });
      pools.set(item.targetType, Object.fromEntries(groups.map((g) => [g.risk, g._count._all])));
    }
    const itemBp = item?.ratioBp ?? 0;
    out.push({
      ...t,
      itemName: item?.name ?? t.itemCode,
      itemBp,
      coverage: taskCoverage(item ? pools.get(item.targetType)! : {}, itemBp, t),
    });
  }
  return out;
}

export interface PlanVersionOutcome {
  versions: { year: number; version: number; announced: boolean }[];
  /** For the import summary: tasks this import added or changed that check fewer than 3%. */
  warnings: string[];
}

/**
 * After a plan import: every year whose plan now differs from its last version gets a new version
 * (kept forever, audited), and the announce group gets the plan card (the first version) or what
 * changed (later ones). A task under the 3% floor is accepted with a warning on the card and in the
 * import summary.
 */
export async function recordPlanVersions(
  tx: Tx,
  o: { years: number[]; actor: string; at: Date; announceChatId?: string; bureauName?: string },
): Promise<PlanVersionOutcome> {
  const outcome: PlanVersionOutcome = { versions: [], warnings: [] };
  const chatId = o.announceChatId ?? (await settingValue(tx, "announceChatId"));
  for (const year of [...new Set(o.years)].sort()) {
    const tasks = (await tx.task.findMany({ where: { year }, orderBy: { code: "asc" } })).map(toPlanTask);
    const snapshot = canonicalJson(tasks);
    const hash = sha256Hex(snapshot);
    const last = await tx.planVersion.findFirst({ where: { year }, orderBy: { version: "desc" } });
    if (last?.hash === hash) continue;
    const changes = diffPlans(last ? (JSON.parse(last.snapshot) as PlanTask[]) : [], tasks);
    if (last && noChanges(changes)) continue;
    const version = (last?.version ?? 0) + 1;
    await tx.planVersion.create({
      data: { year, version, snapshot, hash, changes: canonicalJson(changes), actor: o.actor, createdAt: o.at },
    });
    await appendAudit(tx, {
      at: o.at,
      actor: o.actor,
      action: "plan.version",
      entity: "plan",
      entityId: `${year}-v${version}`,
      data: { year, version, hash, changes },
    });
    const view = await withCoverage(tx, tasks);
    const touched = new Set([...changes.added, ...changes.changed.map((c) => c.code)]);
    for (const t of view) if (t.coverage.belowFloor && touched.has(t.code)) outcome.warnings.push(floorWarning(t));
    if (chatId) {
      await enqueueMessage(
        tx,
        {
          key: `plan:${year}:v${version}:${hash.slice(0, 12)}`,
          to: { chatId },
          msgType: "interactive",
          content: planCard({ year, version, hash, tasks: view, changes, bureauName: o.bureauName }),
        },
        o.at,
      );
    }
    outcome.versions.push({ year, version, announced: Boolean(chatId) });
  }
  return outcome;
}
