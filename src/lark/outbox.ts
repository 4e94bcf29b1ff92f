import type * as lark from "@larksuiteoapi/node-sdk";
import { createHash, randomBytes } from "node:crypto";
import { hostname } from "node:os";
import type { Logger } from "../logger";
import { appendAudit } from "../store/audit";
import { Drainer } from "./drainer";
import { withoutSensitive } from "./sensitive";
import type { Db, Prisma } from "../store/db";
import { writeTx } from "../store/tx";

type Tx = Prisma.TransactionClient | Db;

export interface OutgoingCreate {
  key: string; // business idempotency key, e.g. "draw:T2026-01-1:commit"
  to: { chatId: string } | { openId: string };
  msgType: "interactive" | "text" | "file";
  content: unknown; // serialized to the JSON string Feishu expects
  onSent?: string;
}

export interface OutgoingPatch {
  key: string;
  messageId: string;
  card: unknown;
}

/** Feishu's uuid is ≤ 50 characters; derive it from the business key so a re-send is recognised. */
const uuidOf = (key: string) => createHash("sha256").update(key).digest("hex").slice(0, 40);

/** The outbox row of a message to create (one shape for a single message and a fan-out chunk). */
export function createRow(m: OutgoingCreate, now: Date) {
  const [receiveIdType, receiveId] = "chatId" in m.to ? ["chat_id", m.to.chatId] : ["open_id", m.to.openId];
  return {
    idemKey: m.key,
    action: "create",
    receiveIdType,
    receiveId,
    msgType: m.msgType,
    content: JSON.stringify(m.content),
    onSent: m.onSent ?? null,
    nextAttemptAt: now,
  };
}

/** Queue a message inside the caller's transaction: it is sent only if the change it belongs to commits. */
export async function enqueueMessage(tx: Tx, m: OutgoingCreate, now: Date): Promise<void> {
  await tx.outboxMessage.upsert({
    where: { idemKey: m.key },
    create: createRow(m, now),
    update: {}, // the same business key twice (a double click) queues one message
  });
}

/** Many messages at once (a fan-out chunk): two statements whatever the count; keys already queued are left alone. */
export async function enqueueMessages(tx: Tx, ms: OutgoingCreate[], now: Date): Promise<void> {
  if (ms.length === 0) return;
  const queued = new Set(
    (
      await tx.outboxMessage.findMany({ where: { idemKey: { in: ms.map((m) => m.key) } }, select: { idemKey: true } })
    ).map((r) => r.idemKey),
  );
  const fresh = new Map(ms.filter((m) => !queued.has(m.key)).map((m) => [m.key, m]));
  if (fresh.size === 0) return;
  await tx.outboxMessage.createMany({ data: [...fresh.values()].map((m) => createRow(m, now)) });
}

/** A file message whose bytes are built when it is sent (e.g. a draw's record), named by `source`. */
export interface OutgoingFile {
  key: string;
  to: { chatId: string } | { openId: string };
  fileName: string;
  source: string; // e.g. "draw.json:T2026-01-1"
}

export async function enqueueFile(tx: Tx, f: OutgoingFile, now: Date): Promise<void> {
  await tx.outboxMessage.upsert({
    where: { idemKey: f.key },
    create: {
      idemKey: f.key,
      action: "file",
      receiveIdType: "chatId" in f.to ? "chat_id" : "open_id",
      receiveId: "chatId" in f.to ? f.to.chatId : f.to.openId,
      msgType: "file",
      content: JSON.stringify({ fileName: f.fileName, source: f.source }),
      nextAttemptAt: now,
    },
    update: {},
  });
}

/** Builds a queued file's bytes at send time; the sender uploads them, then posts the file message. */
export type FileSource = (source: string) => Promise<{ bytes: Buffer; fileType: "stream" | "xls" | "pdf" | "doc" }>;

export async function enqueuePatch(tx: Tx, p: OutgoingPatch, now: Date): Promise<void> {
  await tx.outboxMessage.upsert({
    where: { idemKey: p.key },
    create: {
      idemKey: p.key,
      action: "patch",
      receiveId: p.messageId,
      msgType: "interactive",
      content: JSON.stringify(p.card),
      nextAttemptAt: now,
    },
    update: {},
  });
}

/** A token bucket per key: `rate` sends per `perMs`, as a sliding window of send times. */
export class Pacer {
  private readonly windows = new Map<string, number[]>();
  constructor(private readonly limits: { key: (r: { receiveId: string }) => string; rate: number; perMs: number }[]) {}

  /** Milliseconds to wait before this recipient may be sent to (0 = now). */
  delay(r: { receiveId: string }, now: number): number {
    let wait = 0;
    for (const l of this.limits) {
      const w = this.window(l.key(r), now, l.perMs);
      if (w.length >= l.rate) wait = Math.max(wait, w[w.length - l.rate]! + l.perMs - now);
    }
    return wait;
  }

  record(r: { receiveId: string }, now: number): void {
    for (const l of this.limits) this.window(l.key(r), now, l.perMs).push(now);
  }

  private window(key: string, now: number, perMs: number): number[] {
    let w = this.windows.get(key);
    if (!w) this.windows.set(key, (w = []));
    while (w.length > 0 && w[0]! <= now - perMs) w.shift();
    return w;
  }
}

/** Feishu's limits: 5/s per chat or user, 50/s and 1000/min per app (a few ms of slack for clock granularity). */
export const feishuPacer = () =>
  new Pacer([
    { key: (r) => `to:${r.receiveId}`, rate: 5, perMs: 1010 },
    { key: () => "app:s", rate: 50, perMs: 1010 },
    { key: () => "app:min", rate: 1000, perMs: 60_100 },
  ]);

/** Errors that will not get better by retrying: fail the message, audit it, tell the admins once. */
const PERMANENT = new Set([
  230001, 230002, 230006, 230013, 230025, 230027, 230028, 230031, 230053, 230099, 232009, 99991672, 99991403,
]);
/** 230099 whose message says the card is locked (another update in flight) passes: retry it. */
const cardLocked = (err: SendError) => err.code === 230099 && /lock|锁/i.test(err.message);
const MAX_ATTEMPTS = 8;
/** How long a claimed row is reserved for its sender; a sender that died frees it when this runs out. */
export const LEASE_MS = 60_000;

/** A claimant on this machine whose process is gone (e.g. killed mid-send) holds nothing any more. */
function deadOnThisHost(claimedBy: string | null): boolean {
  const [host, pid] = (claimedBy ?? "").split(":");
  if (host !== hostname() || !pid) return false;
  try {
    process.kill(Number(pid), 0);
    return false;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === "ESRCH";
  }
}

interface SendError {
  code?: number;
  status?: number;
  retryAfterMs?: number;
  message: string;
}

function describeError(e: unknown): SendError {
  const err = e as {
    response?: { status?: number; data?: { code?: number; msg?: string }; headers?: Record<string, string> };
    message?: string;
  };
  const reset = Number(err.response?.headers?.["x-ogw-ratelimit-reset"]);
  return {
    code: err.response?.data?.code,
    status: err.response?.status,
    retryAfterMs: Number.isFinite(reset) && reset > 0 ? reset * 1000 : undefined,
    message: err.response?.data?.msg ?? err.message ?? String(e),
  };
}

export type SentHook = (tx: Prisma.TransactionClient, onSent: string, messageId: string) => Promise<void>;

/**
 * Sends queued messages through the SDK, in order, paced to Feishu's limits. Rate limits and
 * server errors are retried with backoff; permanent errors end the message as failed (audited,
 * reported to admins once), never a retry storm.
 */
export class OutboxSender {
  private readonly drainer = new Drainer(() => this.drain());
  private timer: NodeJS.Timeout | null = null;
  private stopped = false;

  /** This sender, as written into the rows it claims (another process has another name). */
  readonly name = `${hostname()}:${process.pid}:${randomBytes(4).toString("hex")}`;
  private readonly pacer: Pacer;
  private readonly now: () => number;
  private readonly sleep: (ms: number) => Promise<void>;

  constructor(
    private readonly db: Db,
    private readonly client: lark.Client,
    private readonly logger: Logger,
    private readonly opts: {
      pacer?: Pacer;
      onSent?: SentHook;
      adminOpenIds?: () => Promise<string[]>;
      now?: () => number;
      sleep?: (ms: number) => Promise<void>;
      beforeEach?: () => Promise<void>;
      files?: FileSource;
      only?: Prisma.OutboxMessageWhereInput;
    } = {},
  ) {
    this.pacer = opts.pacer ?? feishuPacer();
    this.now = opts.now ?? (() => Date.now());
    this.sleep = opts.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  }

  kick(): Promise<void> {
    return this.stopped ? Promise.resolve() : this.drainer.kick();
  }

  idle(): Promise<void> {
    return this.drainer.idle();
  }

  stop(): void {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
  }

  private async drain(): Promise<void> {
    while (!this.stopped) {
      const now = this.now();
      // `only`: a sender that delivers just its own messages (`drbot jobs run` beside a running bot).
      await this.freeDeadLeases(now);
      const free = { OR: [{ leaseUntil: null }, { leaseUntil: { lt: new Date(now) } }] };
      const due = await this.db.outboxMessage.findMany({
        where: { ...this.opts.only, status: "pending", nextAttemptAt: { lte: new Date(now) }, ...free },
        orderBy: { id: "asc" },
        take: 100,
      });
      if (due.length === 0) {
        const next = await this.db.outboxMessage.findFirst({
          where: { ...this.opts.only, status: "pending" },
          orderBy: { nextAttemptAt: "asc" },
        });
        if (next) this.schedule(Math.max(next.nextAttemptAt.getTime(), next.leaseUntil?.getTime() ?? 0) - now);
        return;
      }
      for (const m of due) {
        if (this.stopped) return;
        await this.opts.beforeEach?.();
        const wait = this.pacer.delay(m, this.now());
        if (wait > 0) await this.sleep(wait);
        if (!(await this.claim(m))) continue; // another sender (e.g. `drbot jobs run`) has it
        await this.sendOne(m);
        // Stamped when the answer is back: Feishu saw the request before that, so whatever the
        // latency, no later send can land inside a window Feishu is still counting.
        this.pacer.record(m, this.now());
      }
    }
  }

  /**
   * Reserves a row for this sender until the lease runs out: a conditional update that only one
   * sender can win, in the database, so it holds across processes (and on PostgreSQL).
   */
  private async claim(m: Prisma.OutboxMessageGetPayload<object>): Promise<boolean> {
    const now = new Date(this.now());
    const won = await writeTx(this.db, (tx) =>
      tx.outboxMessage.updateMany({
        where: {
          id: m.id,
          status: "pending",
          attempts: m.attempts,
          OR: [{ leaseUntil: null }, { leaseUntil: { lt: now } }],
        },
        data: { claimedBy: this.name, leaseUntil: new Date(now.getTime() + LEASE_MS) },
      }),
    );
    return won.count === 1;
  }

  /** Rows claimed by a sender on this host that has since died are free at once (a restart resends them). */
  private async freeDeadLeases(now: number): Promise<void> {
    const held = await this.db.outboxMessage.findMany({
      where: { status: "pending", leaseUntil: { gt: new Date(now) } },
      select: { claimedBy: true },
      distinct: ["claimedBy"],
    });
    for (const { claimedBy } of held) {
      if (claimedBy && claimedBy !== this.name && deadOnThisHost(claimedBy)) {
        await writeTx(this.db, (tx) =>
          tx.outboxMessage.updateMany({ where: { claimedBy, status: "pending" }, data: { leaseUntil: null } }),
        );
      }
    }
  }

  private schedule(ms: number): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => void this.kick(), Math.max(10, ms));
    this.timer.unref();
  }

  private async sendOne(m: Prisma.OutboxMessageGetPayload<object>): Promise<void> {
    // Feishu answers some failures with HTTP 200 and a non-zero code; treat them like thrown ones.
    const ok = <T extends { code?: number; msg?: string }>(res: T): T => {
      if (res.code !== 0) throw { response: { status: 200, data: { code: res.code, msg: res.msg } } };
      return res;
    };
    try {
      let messageId = m.receiveId;
      if (m.action === "patch") {
        ok(await this.client.im.v1.message.patch({ path: { message_id: m.receiveId }, data: { content: m.content } }));
      } else {
        let content = m.content;
        if (m.action === "file") {
          // Upload first; a crash before the post uploads again (harmless), and the post is idempotent by uuid.
          const { fileName, source } = JSON.parse(m.content) as { fileName: string; source: string };
          if (!this.opts.files) throw new Error("no file source configured");
          const { bytes, fileType } = await this.opts.files(source);
          const uploaded = await this.client.im.v1.file.create({
            data: { file_type: fileType, file_name: fileName, file: bytes },
          });
          if (!uploaded?.file_key)
            throw { response: { status: 200, data: { code: -1, msg: "upload returned no file_key" } } };
          content = JSON.stringify({ file_key: uploaded.file_key });
        }
        const res = ok(
          await this.client.im.v1.message.create({
            params: { receive_id_type: m.receiveIdType as "chat_id" | "open_id" },
            data: { receive_id: m.receiveId, msg_type: m.msgType, content, uuid: uuidOf(m.idemKey) },
          }),
        );
        messageId = res.data?.message_id ?? "";
      }
      await writeTx(this.db, async (tx) => {
        await tx.outboxMessage.update({
          where: { id: m.id },
          data: {
            status: "sent",
            sentAt: new Date(this.now()),
            sentMessageId: messageId,
            attempts: m.attempts + 1,
            leaseUntil: null,
          },
        });
        if (m.onSent && this.opts.onSent) await this.opts.onSent(tx, m.onSent, messageId);
      });
    } catch (e) {
      await this.failed(m, describeError(e));
    }
  }

  private async failed(m: Prisma.OutboxMessageGetPayload<object>, err: SendError): Promise<void> {
    const attempts = m.attempts + 1;
    const label = `${err.code ?? err.status ?? "network"}: ${err.message}`;
    if (err.code === 230031 && m.action === "patch") {
      // A card past Feishu's 14-day window can't change any more; 我的任务 re-issues fresh cards. Nothing to report.
      await writeTx(this.db, (tx) =>
        tx.outboxMessage.update({
          where: { id: m.id },
          data: { attempts, error: label, status: "skipped", leaseUntil: null },
        }),
      );
      this.logger.info({ outboxId: m.id, messageId: m.receiveId }, "card older than 14 days, update skipped");
      return;
    }
    const stripped = err.code === 230028 ? withoutSensitive(m.content) : null;
    if (stripped) {
      // The data-leak review refused a phone number: resend at once without it rather than failing.
      // The lease is released too, or the row would sit claimed (invisible to drain) until it ran out.
      await writeTx(this.db, (tx) =>
        tx.outboxMessage.update({
          where: { id: m.id },
          data: { attempts, error: label, content: stripped, nextAttemptAt: new Date(this.now()), leaseUntil: null },
        }),
      );
      this.logger.warn({ outboxId: m.id }, "refused by the data-leak review, resending without the sensitive parts");
      return;
    }
    const permanent =
      (err.code !== undefined && PERMANENT.has(err.code) && !cardLocked(err)) || attempts >= MAX_ATTEMPTS;
    if (!permanent) {
      // 429/99991400 says when to come back; otherwise exponential backoff from 1 s, capped at 5 min.
      const backoff = err.retryAfterMs ?? Math.min(300_000, 1000 * 2 ** (attempts - 1));
      await writeTx(this.db, (tx) =>
        tx.outboxMessage.update({
          where: { id: m.id },
          data: { attempts, error: label, nextAttemptAt: new Date(this.now() + backoff), leaseUntil: null },
        }),
      );
      this.logger.warn({ outboxId: m.id, attempts, code: err.code, backoffMs: backoff }, "send failed, will retry");
      return;
    }
    this.logger.error({ outboxId: m.id, code: err.code, attempts }, "send failed permanently");
    const admins = m.idemKey.startsWith("admin-notice:") ? [] : ((await this.opts.adminOpenIds?.()) ?? []);
    await writeTx(this.db, async (tx) => {
      await tx.outboxMessage.update({
        where: { id: m.id },
        data: { attempts, error: label, status: "failed", leaseUntil: null },
      });
      await appendAudit(tx, {
        at: new Date(this.now()),
        actor: "system",
        action: "outbox.failed",
        entity: "outbox",
        entityId: String(m.id),
        data: { key: m.idemKey, to: m.receiveId, error: label },
      });
      // One notice per failed message, and never about a notice itself (admins is empty then), so failures can't cascade.
      for (const admin of admins) {
        await enqueueMessage(
          tx,
          {
            key: `admin-notice:${m.id}:${admin}`,
            to: { openId: admin },
            msgType: "text",
            content: {
              text: `【双随机抽查助手】一条消息未能送达（${label}），接收方 ${m.receiveId}。请检查机器人是否在群内、对方是否在应用可用范围内。`,
            },
          },
          new Date(this.now()),
        );
      }
    });
  }
}
