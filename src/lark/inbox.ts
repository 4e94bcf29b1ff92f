import type { Logger } from "../logger";
import { appendAudit } from "../store/audit";
import type { Db, Prisma, Tx } from "../store/db";
import { writeTx } from "../store/tx";
import { Drainer } from "./drainer";
import { eventLogger } from "./eventLog";
import { enqueueMessage } from "./outbox";
import type { Envelope } from "./wire";

/** Feishu advises de-duplicating messages by message_id (re-pushes may carry a new event_id). */
function dedupKeyOf(envelope: Envelope): string {
  const message = (envelope.event as { message?: { message_id?: string } } | undefined)?.message;
  return message?.message_id ? `msg:${message.message_id}` : `evt:${envelope.header!.event_id}`;
}

/** The envelope as stored: without header.token (the verification token is a secret, checked already). */
function storableEnvelope(envelope: Envelope): Envelope {
  if (!envelope.header || !("token" in envelope.header)) return envelope;
  const { token: _secret, ...header } = envelope.header;
  return { ...envelope, header };
}

/**
 * Stores an accepted event before the HTTP 200 is sent. Returns false for a duplicate delivery,
 * which is acknowledged and otherwise ignored — across restarts, since the keys are in the database.
 * A duplicate is the same message_id (a re-push may carry a new event_id) or the same event_id
 * (whatever message_id it claims). One statement, so two concurrent deliveries can't both pass.
 * (INSERT OR IGNORE through $executeRaw: the intake's hot path, half the cost of a model create.)
 */
export async function storeEvent(db: Db, envelope: Envelope, receivedAt: Date): Promise<boolean> {
  const eventId = envelope.header!.event_id!;
  const inserted =
    await db.$executeRaw`INSERT OR IGNORE INTO "InboxEvent" ("dedupKey", "eventId", "eventType", "payload", "receivedAt", "nextAttemptAt")
    SELECT ${dedupKeyOf(envelope)}, ${eventId}, ${envelope.header!.event_type!}, ${JSON.stringify(storableEnvelope(envelope))}, ${receivedAt}, ${receivedAt}
    WHERE NOT EXISTS (SELECT 1 FROM "InboxEvent" WHERE "eventId" = ${eventId})`;
  return inserted === 1;
}

/**
 * Queues an internal job (e.g. "draw.revealed") inside the caller's transaction: it exists only if
 * that change commits, runs once per key (a double click queues one), and survives a crash.
 */
export async function enqueueJob(tx: Tx, type: string, key: string, payload: unknown, now: Date): Promise<void> {
  const id = `job:${type}:${key}`;
  const envelope: Envelope = {
    schema: "internal",
    header: { event_id: id, event_type: type },
    event: payload as Record<string, unknown>,
  };
  await tx.$executeRaw`INSERT OR IGNORE INTO "InboxEvent" ("dedupKey", "eventId", "eventType", "payload", "receivedAt", "nextAttemptAt")
    VALUES (${id}, ${id}, ${type}, ${JSON.stringify(envelope)}, ${now}, ${now})`;
}

/** Pending events whose time has come (not waiting out a back-off, not given up). */
const readyWhere = (now: Date): Prisma.InboxEventWhereInput => ({
  status: "pending",
  OR: [{ nextAttemptAt: null }, { nextAttemptAt: { lte: now } }],
});

/**
 * For /healthz: how many stored events are ready to run, and how long the one that has waited
 * longest since it became ready (its arrival, or the end of its back-off) has been waiting.
 */
export async function readyBacklog(db: Db, now: Date): Promise<{ backlog: number; oldestPendingSeconds: number }> {
  const where = readyWhere(now);
  const backlog = await db.inboxEvent.count({ where });
  if (backlog === 0) return { backlog, oldestPendingSeconds: 0 };
  const oldest = await db.inboxEvent.findFirst({
    where,
    orderBy: [{ nextAttemptAt: "asc" }, { id: "asc" }],
    select: { nextAttemptAt: true, receivedAt: true },
  });
  const since = (oldest?.nextAttemptAt ?? oldest?.receivedAt ?? now).getTime();
  return { backlog, oldestPendingSeconds: Math.max(0, Math.floor((now.getTime() - since) / 1000)) };
}

/** `log` is the worker's logger with the event's fields (event_id, chat_id, user) on every line. */
export type EventHandler = (tx: Tx, envelope: Envelope, prepared: unknown, log: Logger) => Promise<void>;

/**
 * Work that can't run inside the event's transaction (downloading a file and importing it in its
 * own all-or-nothing transaction); its outcome is handed to the handler. It must be idempotent: a
 * crash before the handler commits runs it again (a re-import of the same file changes nothing).
 */
export type EventPreparer = (envelope: Envelope, log: Logger) => Promise<unknown>;

/**
 * One step of a chunked job: what it reads is read before (outside the writer); `apply` writes, in
 * a short transaction that also records `next` (where to resume; null = finished).
 */
export interface JobStep {
  apply(tx: Tx): Promise<void>;
  next: string | null;
}
export type JobRunner = (job: { payload: unknown; cursor: string | null; log: Logger }) => Promise<JobStep>;

/** Waits between attempts of a failing handler: the event is retried over about 1¾ hours, then given up. */
const RETRY_BACKOFF_MS = [5_000, 30_000, 120_000, 600_000, 1_800_000, 3_600_000];
/** Administrators hear about given-up events at most once per this period, with the count. */
const FAILURE_REPORT_EVERY_MS = 3_600_000;

export interface InboxWorkerOptions {
  db: Db;
  /** Runs an event inside its transaction (the bot's onEvent). */
  handle: EventHandler;
  logger: Logger;
  now?: () => Date;
  /** Called after each event's transaction commits (e.g. to start sending what it queued). */
  afterCommit?: () => void;
  /** Awaited before each event (the processing thread yields to the intake here). */
  beforeEach?: () => Promise<void>;
  /** Work before the event's transaction (see EventPreparer). */
  prepare?: EventPreparer;
  /** Internal job types (registered with bot.on) and their runners. */
  jobs?: (type: string) => JobRunner | undefined;
  /** Who is told about events that finally failed (BOT_ADMIN_OPEN_IDS and the roster's 管理员). */
  adminOpenIds?: () => Promise<string[]>;
  backoffMs?: number[];
  /** Wake-up timer (injectable in tests); returns a cancel function. */
  setTimer?: (fn: () => void, ms: number) => () => void;
}

const realTimer = (fn: () => void, ms: number) => {
  const t = setTimeout(fn, ms);
  t.unref();
  return () => clearTimeout(t);
};

/**
 * Processes stored events (and internal jobs) in the order they became ready, one at a time. A
 * handler's database changes and the messages it queues (outbox rows) commit in the same
 * transaction as the "done" mark, so a crash mid-way re-runs the event and nothing happens twice.
 * A failing handler is retried after a back-off on a timer; the events behind it go on meanwhile.
 */
export class InboxWorker {
  private readonly drainer = new Drainer(() => this.drain());
  private cancelTimer: (() => void) | null = null;
  private stopped = false;

  private readonly db: Db;
  private readonly logger: Logger;
  private readonly now: () => Date;

  constructor(private readonly opts: InboxWorkerOptions) {
    this.db = opts.db;
    this.logger = opts.logger;
    this.now = opts.now ?? (() => new Date());
  }

  /** Start draining (after a response has been sent, or at start-up to resume). */
  kick(): Promise<void> {
    return this.stopped ? Promise.resolve() : this.drainer.kick();
  }

  /** Resolves once nothing is running. */
  idle(): Promise<void> {
    return this.drainer.idle();
  }

  stop(): void {
    this.stopped = true;
    this.cancelTimer?.();
  }

  private get backoff(): number[] {
    return this.opts.backoffMs ?? RETRY_BACKOFF_MS;
  }

  private async drain(): Promise<void> {
    while (!this.stopped) {
      await this.opts.beforeEach?.();
      const row = await this.db.inboxEvent.findFirst({
        where: readyWhere(this.now()),
        orderBy: [{ nextAttemptAt: "asc" }, { id: "asc" }],
      });
      if (!row) break;
      await this.run(row);
    }
    if (this.stopped) return;
    await this.reportFailures();
    await this.scheduleWakeUp();
  }

  private async run(row: Prisma.InboxEventGetPayload<object>): Promise<void> {
    let log = this.logger.child({ event_id: row.eventId });
    try {
      const envelope = JSON.parse(row.payload) as Envelope;
      log = eventLogger(this.logger, envelope);
      const job = this.opts.jobs?.(row.eventType);
      if (job) {
        // A chunk per pass; the row goes to the back of the ready queue, so events go on between chunks.
        const step = await job({ payload: envelope.event, cursor: row.cursor, log });
        await writeTx(this.db, async (tx) => {
          await step.apply(tx);
          const data =
            step.next === null
              ? { status: "done", attempts: row.attempts + 1, processedAt: this.now(), cursor: null }
              : { cursor: step.next, nextAttemptAt: this.now() };
          await tx.inboxEvent.update({ where: { id: row.id }, data });
        });
      } else {
        const prepared = await this.opts.prepare?.(envelope, log);
        await writeTx(
          this.db,
          async (tx) => {
            await this.opts.handle(tx, envelope, prepared, log);
            await tx.inboxEvent.update({
              where: { id: row.id },
              data: { status: "done", attempts: row.attempts + 1, processedAt: this.now() },
            });
          },
          { timeout: 60_000, budgetMs: 60_000 },
        );
      }
      this.opts.afterCommit?.();
    } catch (e) {
      const attempts = row.attempts + 1;
      const giveUp = attempts > this.backoff.length;
      const retryAt = new Date(this.now().getTime() + (this.backoff[attempts - 1] ?? 0));
      log.error(
        { err: e, inboxId: row.id, eventType: row.eventType, attempts, retryAt: giveUp ? null : retryAt },
        giveUp ? "event handler failed, giving up" : "event handler failed, will retry",
      );
      await writeTx(this.db, (tx) =>
        tx.inboxEvent.update({
          where: { id: row.id },
          data: {
            attempts,
            error: String((e as Error).stack ?? e).slice(0, 4000),
            status: giveUp ? "failed" : "pending",
            nextAttemptAt: giveUp ? row.nextAttemptAt : retryAt,
          },
        }),
      ).catch((err: unknown) =>
        log.error({ err, inboxId: row.id }, "could not record the failure; the event runs again"),
      );
    }
  }

  /** Given-up events are reported to the administrators: one message per hour at most, with the count. */
  private async reportFailures(): Promise<void> {
    const unreported = await this.db.inboxEvent.count({ where: { status: "failed", reportedAt: null } });
    if (unreported === 0) return;
    const now = this.now();
    const last = await this.db.inboxEvent.findFirst({
      where: { reportedAt: { not: null } },
      orderBy: { reportedAt: "desc" },
      select: { reportedAt: true },
    });
    if (last?.reportedAt && now.getTime() - last.reportedAt.getTime() < FAILURE_REPORT_EVERY_MS) return; // scheduleWakeUp comes back then
    const admins = (await this.opts.adminOpenIds?.()) ?? [];
    const count = await writeTx(this.db, async (tx) => {
      const rows = await tx.inboxEvent.findMany({
        where: { status: "failed", reportedAt: null },
        select: { id: true, eventType: true },
      });
      if (rows.length === 0) return 0;
      await tx.inboxEvent.updateMany({ where: { id: { in: rows.map((r) => r.id) } }, data: { reportedAt: now } });
      const text = `【双随机抽查助手】有 ${rows.length} 条收到的消息或事件经多次重试（约 1.5 小时）仍处理失败，已停止重试，发送人可能没有收到回复。请查看运行日志，必要时请发送人重新操作。`;
      for (const admin of admins) {
        await enqueueMessage(
          tx,
          {
            key: `inbox-failures:${now.getTime()}:${admin}`,
            to: { openId: admin },
            msgType: "text",
            content: { text },
          },
          now,
        );
      }
      await appendAudit(tx, {
        at: now,
        actor: "system",
        action: "inbox.failed.report",
        entity: "inbox",
        entityId: String(rows[0]!.id),
        data: { count: rows.length, ids: rows.map((r) => r.id), admins },
      });
      return rows.length;
    });
    if (count > 0) {
      this.logger.error({ count, admins: admins.length }, "events given up; administrators told");
      this.opts.afterCommit?.();
    }
  }

  /** Come back when the next back-off ends, or when the next failure report may go out. */
  private async scheduleWakeUp(): Promise<void> {
    const now = this.now().getTime();
    const times: number[] = [];
    const next = await this.db.inboxEvent.findFirst({
      where: { status: "pending", nextAttemptAt: { gt: new Date(now) } },
      orderBy: { nextAttemptAt: "asc" },
      select: { nextAttemptAt: true },
    });
    if (next?.nextAttemptAt) times.push(next.nextAttemptAt.getTime());
    if ((await this.db.inboxEvent.count({ where: { status: "failed", reportedAt: null } })) > 0) {
      const last = await this.db.inboxEvent.findFirst({
        where: { reportedAt: { not: null } },
        orderBy: { reportedAt: "desc" },
        select: { reportedAt: true },
      });
      if (last?.reportedAt) times.push(last.reportedAt.getTime() + FAILURE_REPORT_EVERY_MS);
    }
    this.cancelTimer?.();
    this.cancelTimer = null;
    if (times.length === 0) return;
    const setTimer = this.opts.setTimer ?? realTimer;
    this.cancelTimer = setTimer(() => void this.kick(), Math.max(10, Math.min(...times) - now));
  }
}
