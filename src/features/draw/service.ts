import { randomBytes } from "node:crypto";
import { AppError } from "../../domain/errors";
import { amend } from "../../domain/draw/amend";
import { freeze, recordHashOf, reveal } from "../../domain/draw/record";
import type { Commitment, DrawRecord } from "../../domain/draw/types";
import { appendAudit } from "../../store/audit";
import type { Db, Tx } from "../../store/db";
import { writeTx } from "../../store/tx";
import { canonicalTaskCode } from "../tasks/code";
import { ACTIVE_DRAW_STATUSES, readPool } from "./pool";

/** 32 random bytes as lowercase hex: the server seed, and the throw-away entropy of a dry run. */
const randomHex = (): string => randomBytes(32).toString("hex");

export interface Clock {
  now(): Date;
  /** The bureau date (the one clock); absent in callers that only need the instant. */
  today?(): string;
}

/**
 * A would-be draw with throw-away seeds: nothing is stored, and `verify` accepts the record.
 * `source` is the database file (the CLI: no Prisma client at all) or a client.
 */
export async function dryRun(
  source: Db | string,
  taskCode: string,
  clock: Clock,
  random = randomHex,
): Promise<{ record: DrawRecord; itemName: string; excludedDrawn: number }> {
  const input = await readPool(source, taskCode);
  const at = clock.now().toISOString();
  const serverSeed = random();
  const commitment = freeze({
    drawId: `dry-run-${input.task.code}`,
    task: input.task,
    pool: input.pool,
    params: input.params,
    serverSeed,
    committedAt: at,
  });
  const record = reveal(commitment, serverSeed, { openId: "dry-run", entropy: random(), at });
  return { record, itemName: input.itemName, excludedDrawn: input.excludedDrawn };
}

/** Refuses a second draw while one awaits its witness or is final (409-style). */
async function assertNoActiveDraw(tx: Tx, taskCode: string): Promise<void> {
  const active = await tx.draw.findFirst({ where: { taskCode, status: { in: ACTIVE_DRAW_STATUSES } } });
  if (!active) return;
  const msg =
    active.status === "committed"
      ? `任务 ${taskCode} 已有待见证的抽取（${active.id}），请由见证人确认，或由发起人取消后再抽取`
      : `任务 ${taskCode} 已完成抽取（${active.id}），不能重复抽取；如需查看请用「进度 ${taskCode}」`;
  throw new AppError("DRAW_EXISTS", msg, { drawId: active.id, status: active.status });
}

/**
 * Freezes the pool and publishes the commitment: one transaction that stores the draw (status
 * committed, server seed kept secret) and its audit entry. Infeasible draws are refused before.
 */
export async function commitDraw(
  db: Db,
  args: { taskCode: string; orderedBy: string; chatId?: string | null },
  clock: Clock,
  random = randomHex,
): Promise<{ commitment: Commitment; itemName: string; excludedDrawn: number }> {
  return writeTx(db, (tx) => commitDrawIn(tx, args, clock, random), { timeout: 120_000, budgetMs: 120_000 });
}

/** commitDraw inside the caller's transaction (the bot queues the commitment card in the same one). */
export async function commitDrawIn(
  tx: Tx,
  args: { taskCode: string; orderedBy: string; chatId?: string | null },
  clock: Clock,
  random = randomHex,
): Promise<{ commitment: Commitment; itemName: string; excludedDrawn: number }> {
  args = { ...args, taskCode: await canonicalTaskCode(tx, args.taskCode) };
  await assertNoActiveDraw(tx, args.taskCode);
  const input = await readPool(tx, args.taskCode);
  const attempt = (await tx.draw.count({ where: { taskCode: args.taskCode } })) + 1;
  const drawId = `${args.taskCode}-${attempt}`;
  const at = clock.now();
  const serverSeed = random();
  const commitment = freeze({
    drawId,
    task: input.task,
    pool: input.pool,
    params: input.params,
    serverSeed,
    committedAt: at.toISOString(),
  });
  await tx.draw.create({
    data: {
      id: drawId,
      taskCode: args.taskCode,
      attempt,
      status: "committed",
      poolHash: commitment.poolHash,
      paramsHash: commitment.paramsHash,
      commitment: commitment.commitment,
      serverSeed,
      record: JSON.stringify(commitment),
      orderedBy: args.orderedBy,
      chatId: args.chatId ?? null,
      committedAt: at,
    },
  });
  await appendAudit(tx, {
    at,
    actor: args.orderedBy,
    action: "draw.commit",
    entity: "draw",
    entityId: drawId,
    data: {
      taskCode: args.taskCode,
      poolHash: commitment.poolHash,
      paramsHash: commitment.paramsHash,
      commitment: commitment.commitment,
      perStratum: commitment.params.perStratum,
      excludedDrawn: input.excludedDrawn,
    },
  });
  return { commitment, itemName: input.itemName, excludedDrawn: input.excludedDrawn };
}

/**
 * The witness confirms: derive the seed, run the draw, store the final record and the assignments.
 * A repeated confirmation (double click) returns the same record; nothing is drawn twice.
 */
export async function revealDraw(
  db: Db,
  args: { drawId: string; witnessOpenId: string; entropy: string },
  clock: Clock,
): Promise<{ record: DrawRecord; alreadyRevealed: boolean }> {
  return writeTx(db, (tx) => revealDrawIn(tx, args, clock), { timeout: 120_000, budgetMs: 120_000 });
}

export async function revealDrawIn(
  tx: Tx,
  args: { drawId: string; witnessOpenId: string; entropy: string },
  clock: Clock,
): Promise<{ record: DrawRecord; alreadyRevealed: boolean }> {
  const draw = await tx.draw.findUnique({ where: { id: args.drawId } });
  if (!draw) throw new AppError("DRAW_NOT_FOUND", `找不到抽取 ${args.drawId}`);
  if (draw.status === "revealed") return { record: JSON.parse(draw.record) as DrawRecord, alreadyRevealed: true };
  if (draw.status !== "committed") throw new AppError("DRAW_CANCELLED", `抽取 ${args.drawId} 已取消，不能再揭示`);
  if (args.witnessOpenId === draw.orderedBy)
    throw new AppError("WITNESS_IS_ORDERER", "见证人不能是发起抽取的人，请由其他工作人员确认");
  const at = clock.now();
  const record = reveal(JSON.parse(draw.record) as Commitment, draw.serverSeed, {
    openId: args.witnessOpenId,
    entropy: args.entropy,
    at: at.toISOString(),
  });
  const recordHash = recordHashOf(record);
  await tx.draw.update({
    where: { id: draw.id, status: "committed" },
    data: {
      status: "revealed",
      record: JSON.stringify(record),
      recordHash,
      witnessOpenId: args.witnessOpenId,
      revealedAt: at,
      revealedOn: clock.today?.() ?? null,
    },
  });
  await insertAssignments(tx, draw.id, record, at);
  await appendAudit(tx, {
    at,
    actor: args.witnessOpenId,
    action: "draw.reveal",
    entity: "draw",
    entityId: draw.id,
    data: {
      seed: record.seed,
      serverSeed: record.serverSeed,
      entropy: args.entropy,
      recordHash,
      targets: record.selection.targets.map((t) => t.id),
    },
  });
  return { record, alreadyRevealed: false };
}

/** Rows per INSERT: 7 parameters each, well under SQLite's 32,766. */
const ASSIGNMENT_CHUNK = 500;

/**
 * The drawn teams as Assignment rows, each pinned to the target's current version. A large draw has
 * 10,000 rows: Prisma's createMany spent 3 s and 120 MB building them, so they go in as multi-row
 * INSERTs through the same transaction (the columns Prisma would fill, in Prisma's date format).
 */
async function insertAssignments(tx: Tx, drawId: string, record: DrawRecord, at: Date): Promise<void> {
  const stamp = at.toISOString().replace("Z", "+00:00");
  for (let k = 0; k < record.selection.assignments.length; k += ASSIGNMENT_CHUNK) {
    const chunk = record.selection.assignments.slice(k, k + ASSIGNMENT_CHUNK);
    const values: string[] = [];
    const params: (string | number)[] = [];
    for (const a of chunk) {
      for (const inspectorId of a.inspectorIds) {
        values.push("(?, ?, COALESCE((SELECT version FROM Target WHERE creditCode = ?), 1), ?, 'assigned', ?, ?)");
        params.push(drawId, a.targetId, a.targetId, inspectorId, stamp, stamp);
      }
    }
    if (values.length === 0) continue;
    await tx.$executeRawUnsafe(
      `INSERT INTO Assignment (drawId, targetId, targetVersion, inspectorId, status, createdAt, updatedAt) VALUES ${values.join(", ")}`,
      ...params,
    );
  }
}

/** The orderer withdraws a commitment before it is revealed; the attempt stays visible. */
export async function cancelDraw(
  db: Db,
  args: { drawId: string; by: string; reason: string },
  clock: Clock,
): Promise<void> {
  await writeTx(db, (tx) => cancelDrawIn(tx, args, clock));
}

export async function cancelDrawIn(
  tx: Tx,
  args: { drawId: string; by: string; reason: string },
  clock: Clock,
): Promise<void> {
  const draw = await tx.draw.findUnique({ where: { id: args.drawId } });
  if (!draw) throw new AppError("DRAW_NOT_FOUND", `找不到抽取 ${args.drawId}`);
  if (draw.status === "cancelled") return;
  if (draw.status !== "committed") throw new AppError("DRAW_REVEALED", `抽取 ${args.drawId} 已揭示，不能取消`);
  const at = clock.now();
  await tx.draw.update({
    where: { id: draw.id },
    data: { status: "cancelled", cancelledAt: at, cancelReason: args.reason, cancelledBy: args.by },
  });
  // The server seed is published with the cancellation, so everyone can see the commitment was honest.
  await appendAudit(tx, {
    at,
    actor: args.by,
    action: "draw.cancel",
    entity: "draw",
    entityId: draw.id,
    data: { reason: args.reason, serverSeed: draw.serverSeed },
  });
}

/**
 * An approved recusal: records the conflict, appends the deterministic amendment to the record,
 * marks the assignment recused and assigns the replacement — one transaction.
 */
export async function recuse(
  db: Db,
  args: { drawId: string; inspectorId: string; targetId: string; by: string; reason: string },
  clock: Clock,
): Promise<{ record: DrawRecord; replacementId: string }> {
  return writeTx(db, (tx) => recuseIn(tx, args, clock));
}

export async function recuseIn(
  tx: Tx,
  args: { drawId: string; inspectorId: string; targetId: string; by: string; reason: string },
  clock: Clock,
): Promise<{ record: DrawRecord; replacementId: string }> {
  const draw = await tx.draw.findUnique({ where: { id: args.drawId } });
  if (!draw || draw.status !== "revealed") throw new AppError("DRAW_NOT_FOUND", `抽取 ${args.drawId} 不存在或尚未揭示`);
  const at = clock.now();
  const record = amend(JSON.parse(draw.record) as DrawRecord, {
    inspectorId: args.inspectorId,
    targetId: args.targetId,
    at: at.toISOString(),
  });
  const replacementId = record.amendments[record.amendments.length - 1]!.replacementId;
  const recordHash = recordHashOf(record);
  await tx.draw.update({ where: { id: draw.id }, data: { record: JSON.stringify(record), recordHash } });
  await tx.assignment.update({
    where: { drawId_targetId_inspectorId: { drawId: draw.id, targetId: args.targetId, inspectorId: args.inspectorId } },
    data: { status: "recused" },
  });
  const target = await tx.target.findUnique({ where: { creditCode: args.targetId }, select: { version: true } });
  await tx.assignment.create({
    data: { drawId: draw.id, targetId: args.targetId, targetVersion: target?.version ?? 1, inspectorId: replacementId },
  });
  await tx.conflict.upsert({
    where: { certNo_creditCode: { certNo: args.inspectorId, creditCode: args.targetId } },
    create: { certNo: args.inspectorId, creditCode: args.targetId, reason: args.reason, source: "recusal" },
    update: {},
  });
  await appendAudit(tx, {
    at,
    actor: args.by,
    action: "draw.recusal",
    entity: "draw",
    entityId: draw.id,
    data: { inspectorId: args.inspectorId, targetId: args.targetId, replacementId, reason: args.reason, recordHash },
  });
  return { record, replacementId };
}

/** A draw by id, or a task's final draw by task code. */
export async function findDraw(db: Db, idOrTask: string) {
  const byId = await db.draw.findUnique({ where: { id: idOrTask } });
  if (byId) return byId;
  const byTask = await db.draw.findFirst({
    where: { taskCode: await canonicalTaskCode(db, idOrTask), status: "revealed" },
    orderBy: { attempt: "desc" },
  });
  if (byTask) return byTask;
  throw new AppError("DRAW_NOT_FOUND", `找不到抽取记录「${idOrTask}」（可填抽取编号或任务编号；任务须已完成抽取）`);
}

/** The published record of a revealed draw; a committed draw has nothing final to publish yet. */
export function publishedRecord(draw: { id: string; status: string; record: string }): DrawRecord {
  if (draw.status !== "revealed") {
    throw new AppError(
      "DRAW_NOT_REVEALED",
      draw.status === "committed" ? `抽取 ${draw.id} 尚待见证人确认，还没有可公布的结果` : `抽取 ${draw.id} 已取消`,
    );
  }
  return JSON.parse(draw.record) as DrawRecord;
}
