import type { Logger } from "../logger";
import type { Db, Prisma } from "../store/db";
import { Drainer } from "./drainer";
import type { Envelope } from "./receiver";

type Tx = Prisma.TransactionClient;

/** Feishu advises de-duplicating messages by message_id (re-pushes may carry a new event_id). */
export function dedupKeyOf(envelope: Envelope): string {
  const message = (envelope.event as { message?: { message_id?: string } } | undefined)?.message;
  return message?.message_id ? `msg:${message.message_id}` : `evt:${envelope.header!.event_id}`;
}

/** The envelope as stored: without header.token (the verification token is a secret, checked already). */
export function storableEnvelope(envelope: Envelope): Envelope {
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
  const inserted = await db.$executeRaw`INSERT OR IGNORE INTO "InboxEvent" ("dedupKey", "eventId", "eventType", "payload", "receivedAt")
    SELECT ${dedupKeyOf(envelope)}, ${eventId}, ${envelope.header!.event_type!}, ${JSON.stringify(storableEnvelope(envelope))}, ${receivedAt}
    WHERE NOT EXISTS (SELECT 1 FROM "InboxEvent" WHERE "eventId" = ${eventId})`;
  return inserted === 1;
}

export type EventHandler = (tx: Tx, envelope: Envelope, prepared: unknown) => Promise<void>;

/**
 * Work that can't run inside the event's transaction (downloading a file and importing it in its
 * own all-or-nothing transaction); its outcome is handed to the handler. It must be idempotent: a
 * crash before the handler commits runs it again (a re-import of the same file changes nothing).
 */
export type EventPreparer = (envelope: Envelope) => Promise<unknown>;

const MAX_ATTEMPTS = 5;

/**
 * Processes stored events in arrival order, one at a time. A handler's database changes and the
 * messages it queues (outbox rows) commit in the same transaction as the "done" mark, so a crash
 * mid-way re-runs the event from scratch on restart and nothing happens twice.
 */
export class InboxWorker {
  private readonly drainer = new Drainer(() => this.drain());

  constructor(
    private readonly db: Db,
    private readonly handle: EventHandler,
    private readonly logger: Logger,
    private readonly now: () => Date = () => new Date(),
    /** Called after each event's transaction commits (e.g. to start sending what it queued). */
    private readonly afterCommit: () => void = () => {},
    /** Awaited before each event (the processing thread yields to the intake here). */
    private readonly beforeEach: () => Promise<void> = async () => {},
    private readonly prepare: EventPreparer = async () => undefined,
  ) {}

  /** Start draining (after a response has been sent, or at start-up to resume). */
  kick(): Promise<void> {
    return this.drainer.kick();
  }

  /** Resolves once nothing is running. */
  idle(): Promise<void> {
    return this.drainer.idle();
  }

  private async drain(): Promise<void> {
    for (;;) {
      await this.beforeEach();
      const row = await this.db.inboxEvent.findFirst({ where: { status: "pending" }, orderBy: { id: "asc" } });
      if (!row) return;
      try {
        const envelope = JSON.parse(row.payload) as Envelope;
        const prepared = await this.prepare(envelope);
        await this.db.$transaction(
          async (tx) => {
            await this.handle(tx, envelope, prepared);
            await tx.inboxEvent.update({ where: { id: row.id }, data: { status: "done", attempts: row.attempts + 1, processedAt: this.now() } });
          },
          { timeout: 60_000 },
        );
        this.afterCommit();
      } catch (e) {
        const attempts = row.attempts + 1;
        this.logger.error({ inboxId: row.id, eventType: row.eventType, attempts, err: (e as Error).message }, "event handler failed");
        await this.db.inboxEvent.update({
          where: { id: row.id },
          data: { attempts, error: String((e as Error).stack ?? e).slice(0, 4000), status: attempts >= MAX_ATTEMPTS ? "failed" : "pending" },
        });
        if (attempts < MAX_ATTEMPTS) return; // try again on the next kick rather than spinning
      }
    }
  }
}
