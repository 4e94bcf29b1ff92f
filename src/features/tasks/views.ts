import { taskCard, type TaskView } from "../../../cards/tasks";
import type { OutgoingCreate } from "../../lark/outbox";
import type { Prisma, DbOrTx } from "../../store/db";
import { OFF_TEAM } from "./team";

/** Only the draw's task code is needed (a fan-out chunk doesn't read the draw's megabyte record). */
type AssignmentRow = Prisma.AssignmentGetPayload<object> & { draw: { taskCode: string } };

/**
 * What the task cards of many assignments of one draw show, read with a handful of queries whatever
 * the batch size (a reveal's fan-out reads 100 at a time before it takes the writer; a single card
 * is a batch of one). Each view comes with the inspector's open_id (null: not reachable in Feishu).
 */
export async function taskViews(
  db: DbOrTx,
  batch: AssignmentRow[],
): Promise<Map<number, { view: TaskView; openId: string | null }>> {
  const views = new Map<number, { view: TaskView; openId: string | null }>();
  if (batch.length === 0) return views;
  const drawId = batch[0]!.drawId;
  const task = await db.task.findUniqueOrThrow({ where: { code: batch[0]!.draw.taskCode } });
  const item = await db.item.findUnique({ where: { code: task.itemCode } });
  const targetIds = [...new Set(batch.map((a) => a.targetId))];
  const targets = new Map(
    (await db.target.findMany({ where: { creditCode: { in: targetIds } } })).map((t) => [t.creditCode, t]),
  );
  const members = await db.assignment.findMany({
    where: { drawId, targetId: { in: targetIds }, status: { notIn: OFF_TEAM } },
    orderBy: { id: "asc" },
  });
  const teams = new Map<string, typeof members>();
  for (const m of members) teams.set(m.targetId, [...(teams.get(m.targetId) ?? []), m]);
  const results = new Map(
    (await db.result.findMany({ where: { drawId, targetId: { in: targetIds }, current: true } })).map((r) => [
      r.targetId,
      r,
    ]),
  );
  const people = new Set([...members.map((m) => m.inspectorId), ...batch.map((a) => a.inspectorId)]);
  for (const r of results.values()) for (const p of [r.submittedBy, r.correctedBy]) if (p) people.add(p);
  const inspectors = new Map(
    (
      await db.inspector.findMany({
        where: { certNo: { in: [...people] } },
        select: { certNo: true, name: true, openId: true },
      })
    ).map((i) => [i.certNo, i]),
  );
  const nameOf = (certNo: string) => inspectors.get(certNo)?.name ?? certNo;

  for (const a of batch) {
    const target = targets.get(a.targetId);
    const result = results.get(a.targetId);
    const view: TaskView = {
      assignmentId: a.id,
      taskCode: task.code,
      taskName: task.name,
      itemName: item?.name ?? task.itemCode,
      basis: item?.basis ?? "",
      content: item?.content ?? "",
      deadline: task.endDate,
      target: {
        creditCode: a.targetId,
        name: target?.name ?? "",
        address: target?.address ?? "",
        legalRep: target?.legalRep ?? "",
        phone: target?.phone ?? "",
      },
      partners: (teams.get(a.targetId) ?? [])
        .filter((m) => m.inspectorId !== a.inspectorId)
        .map((m) => nameOf(m.inspectorId)),
      state: a.status as TaskView["state"],
      result: result
        ? {
            ...result,
            submittedByName: nameOf(result.submittedBy),
            correctedByName: result.correctedBy ? nameOf(result.correctedBy) : null,
          }
        : undefined,
    };
    views.set(a.id, { view, openId: inspectors.get(a.inspectorId)?.openId ?? null });
  }
  return views;
}

/** The task cards of a batch of assignments: a card goes only to an inspector reachable in Feishu. */
export async function taskCardMessages(db: DbOrTx, batch: AssignmentRow[]): Promise<OutgoingCreate[]> {
  const out: OutgoingCreate[] = [];
  for (const [id, { view, openId }] of await taskViews(db, batch)) {
    if (!openId) continue; // not reachable in Feishu; the leader sees the gap in 进度
    out.push({
      key: `task:${id}:card`,
      to: { openId },
      msgType: "interactive",
      content: taskCard(view),
      onSent: `assignment.card:${id}`,
    });
  }
  return out;
}
