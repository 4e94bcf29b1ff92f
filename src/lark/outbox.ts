import type * as lark from "@larksuiteoapi/node-sdk";
import { createHash, randomBytes } from "node:crypto";
import { hostname } from "node:os";
import type { Logger } from "../logger";
import { appendAudit } from "../store/audit";
import { Drainer } from "./drainer";
import { callFeishu, FeishuApiError } from "./feishuError";
import { feishuPacer, type Pacer } from "./pacing";
import { classifySendFailure, retryOrFail } from "./sendFailure";
import { withoutSensitive } from "./sensitive";
import type { Db, Prisma, Tx } from "../store/db";
import { writeTx } from "../store/tx";
import { enqueueMessage, type FileSource } from "./outboxQueue";

// The queue side lives in outboxQueue.ts; features import it from here, as before.
export {
  enqueueFile,
  enqueueMessage,
  enqueueMessages,
  enqueuePatch,
  type FileSource,
  type OutgoingCreate,
  type OutgoingFile,
  type OutgoingPatch,
} from "./outboxQueue";

/** Feishu's uuid is ≤ 50 characters; derive it from the business key so a re-send is recognised. */
const uuidOf = (key: string) => createHash("sha256").update(key).digest("hex").slice(0, 40);

/** How long a claimed row is reserved for its sender; a sender that died frees it when this runs out. */
const LEASE_MS = 60_000;

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

export type SentHook = (tx: Tx, onSent: string, messageId: string) => Promise<void>;

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
    try {
      let messageId = m.receiveId;
      if (m.action === "patch") {
        await callFeishu("im.v1.message.patch", () =>
          this.client.im.v1.message.patch({ path: { message_id: m.receiveId }, data: { content: m.content } }),
        );
      } else {
        let content = m.content;
        if (m.action === "file") {
          // Upload first; a crash before the post uploads again (harmless), and the post is idempotent by uuid.
          const { fileName, source } = JSON.parse(m.content) as { fileName: string; source: string };
          if (!this.opts.files) throw new Error("no file source configured");
          const { bytes, fileType } = await this.opts.files(source);
          const api = "im.v1.file.create";
          const uploaded = await this.client.im.v1.file
            .create({ data: { file_type: fileType, file_name: fileName, file: bytes } })
            .catch((e: unknown) => Promise.reject(FeishuApiError.from(e, api)));
          if (!uploaded?.file_key) throw new FeishuApiError(api, -1, "upload returned no file_key", 200);
          content = JSON.stringify({ file_key: uploaded.file_key });
        }
        const res = await callFeishu("im.v1.message.create", () =>
          this.client.im.v1.message.create({
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
      await this.failed(m, e);
    }
  }

  private async failed(m: Prisma.OutboxMessageGetPayload<object>, e: unknown): Promise<void> {
    const attempts = m.attempts + 1;
    const { code, label, verdict: first } = classifySendFailure(e, { action: m.action, attempts });
    let verdict = first;
    const log = this.logger.child({ outboxId: m.id });
    if (verdict.kind === "skip") {
      // A card past Feishu's 14-day window can't change any more; 我的任务 re-issues fresh cards. Nothing to report.
      await writeTx(this.db, (tx) =>
        tx.outboxMessage.update({
          where: { id: m.id },
          data: { attempts, error: label, status: "skipped", leaseUntil: null },
        }),
      );
      log.info({ messageId: m.receiveId }, "card older than 14 days, update skipped");
      return;
    }
    if (verdict.kind === "strip") {
      const stripped = withoutSensitive(m.content);
      if (stripped) {
        // The data-leak review refused a phone number: resend at once without it rather than failing.
        // The lease is released too, or the row would sit claimed (invisible to drain) until it ran out.
        await writeTx(this.db, (tx) =>
          tx.outboxMessage.update({
            where: { id: m.id },
            data: { attempts, error: label, content: stripped, nextAttemptAt: new Date(this.now()), leaseUntil: null },
          }),
        );
        log.warn("refused by the data-leak review, resending without the sensitive parts");
        return;
      }
      verdict = retryOrFail(e instanceof FeishuApiError ? e : null, attempts);
    }
    if (verdict.kind === "retry") {
      const backoff = verdict.backoffMs;
      await writeTx(this.db, (tx) =>
        tx.outboxMessage.update({
          where: { id: m.id },
          data: { attempts, error: label, nextAttemptAt: new Date(this.now() + backoff), leaseUntil: null },
        }),
      );
      log.warn({ err: e, attempts, code, backoffMs: backoff }, "send failed, will retry");
      return;
    }
    log.error({ err: e, code, attempts }, "send failed permanently");
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
