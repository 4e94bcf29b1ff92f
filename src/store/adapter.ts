import { PrismaBetterSqlite3 } from "@prisma/adapter-better-sqlite3";
import type BetterSqlite3 from "better-sqlite3";
import type {
  IsolationLevel,
  SqlDriverAdapter,
  SqlDriverAdapterFactory,
  SqlQuery,
  SqlResultSet,
  Transaction,
} from "@prisma/driver-adapter-utils";

/**
 * Prisma's better-sqlite3 adapter with SQLite's write lock taken up front and every statement of one
 * connection serialised. The stock adapter opens transactions with a deferred `BEGIN`: two
 * connections (serving thread, processing thread, a CLI) that read and then write fail with
 * SQLITE_BUSY_SNAPSHOT (Prisma P1008) when the other commits in between. Here:
 *  - every write transaction starts with `BEGIN IMMEDIATE`, waited for asynchronously (the event loop
 *    keeps answering Feishu while another connection holds the lock);
 *  - a write outside a transaction is one short `BEGIN IMMEDIATE … COMMIT` of its own;
 *  - plain reads go to a second connection (WAL: they see committed data and never wait), so a read
 *    issued while this thread's transaction is open can neither see nor join it.
 * `beforeWrite` lets the processing thread yield to the intake before it takes the lock.
 */

interface Client {
  prepare(sql: string): { readonly: boolean };
  inTransaction: boolean;
}

interface Options {
  /** How long a transaction may wait for the write lock before it fails as busy (retried by writeTx). */
  lockWaitMs?: number;
  beforeWrite?: () => Promise<void>;
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
const stmt = (sql: string): SqlQuery => ({ sql, args: [], argTypes: [] });

/** SQLite's "database is locked", as the adapter reports it (kind SocketTimeout = Prisma P1008). */
export function isBusyError(e: unknown): boolean {
  const err = e as { cause?: { kind?: string }; code?: string; message?: string; name?: string };
  return (
    err?.cause?.kind === "SocketTimeout" ||
    err?.code === "P1008" ||
    /SQLITE_BUSY|database is locked/i.test(String(err?.message ?? ""))
  );
}

/**
 * Measurement for benchmarks (off unless `record` is set): how long each write of this thread waited
 * for SQLite's lock, from asking to holding it, in ms.
 */
export const lockWaits = { record: false, ms: [] as number[] };

/** A FIFO async lock: the holder of one connection (a transaction, or one statement). */
class Mutex {
  private tail: Promise<void> = Promise.resolve();
  acquire(): Promise<() => void> {
    let release!: () => void;
    const next = new Promise<void>((r) => (release = r));
    const ready = this.tail.then(() => release);
    this.tail = this.tail.then(() => next);
    return ready;
  }
}

class SerialisedTransaction implements Transaction {
  readonly provider = "sqlite" as const;
  readonly adapterName: string;
  readonly options = { usePhantomQuery: false };
  private done = false;

  constructor(
    private readonly conn: SqlDriverAdapter,
    private readonly client: Client,
    private readonly release: () => void,
  ) {
    this.adapterName = conn.adapterName;
  }

  queryRaw(q: SqlQuery): Promise<SqlResultSet> {
    return this.conn.queryRaw(q);
  }
  executeRaw(q: SqlQuery): Promise<number> {
    return this.conn.executeRaw(q);
  }
  // Prisma sends COMMIT / ROLLBACK itself (usePhantomQuery false); these end our hold on the connection.
  async commit(): Promise<void> {
    this.finish();
  }
  async rollback(): Promise<void> {
    // A failed COMMIT leaves SQLite's transaction open; never hand the connection on like that.
    if (this.client.inTransaction) await this.conn.executeRaw(stmt("ROLLBACK")).catch(() => undefined);
    this.finish();
  }
  async createSavepoint(name: string): Promise<void> {
    await this.conn.executeRaw(stmt(`SAVEPOINT ${name}`));
  }
  async rollbackToSavepoint(name: string): Promise<void> {
    await this.conn.executeRaw(stmt(`ROLLBACK TO ${name}`));
  }
  async releaseSavepoint(name: string): Promise<void> {
    await this.conn.executeRaw(stmt(`RELEASE SAVEPOINT ${name}`));
  }
  private finish(): void {
    if (this.done) return;
    this.done = true;
    this.release();
  }
}

class SerialisedAdapter implements SqlDriverAdapter {
  readonly provider = "sqlite" as const;
  readonly adapterName: string;
  private readonly lock = new Mutex();
  private readonly readonlyCache = new Map<string, boolean>();

  constructor(
    private readonly writer: SqlDriverAdapter,
    private readonly reader: SqlDriverAdapter,
    private readonly opts: Options,
  ) {
    this.adapterName = writer.adapterName;
  }

  private get client(): Client {
    return (this.writer as unknown as { client: Client }).client;
  }

  /** The writer's better-sqlite3 connection (see SerialisedSqlite.writerInTransaction). */
  get rawWriter(): BetterSqlite3.Database {
    return this.client as unknown as BetterSqlite3.Database;
  }

  private isRead(sql: string): boolean {
    let ro = this.readonlyCache.get(sql);
    if (ro === undefined) {
      ro = this.client.prepare(sql).readonly;
      if (this.readonlyCache.size > 2000) this.readonlyCache.clear();
      this.readonlyCache.set(sql, ro);
    }
    return ro;
  }

  /** Holds the connection and SQLite's write lock (`BEGIN IMMEDIATE`), polling without blocking the thread. */
  private async begin(): Promise<() => void> {
    await this.opts.beforeWrite?.();
    const asked = lockWaits.record ? performance.now() : 0;
    const release = await this.lock.acquire();
    const deadline = Date.now() + (this.opts.lockWaitMs ?? 10_000);
    for (let attempt = 0; ; attempt++) {
      try {
        await this.writer.executeRaw(stmt("BEGIN IMMEDIATE"));
        if (lockWaits.record) lockWaits.ms.push(performance.now() - asked);
        return release;
      } catch (e) {
        if (!isBusyError(e) || Date.now() > deadline) {
          release();
          throw e;
        }
      }
      await sleep(Math.min(1 + attempt, 5));
    }
  }

  async queryRaw(q: SqlQuery): Promise<SqlResultSet> {
    if (this.isRead(q.sql)) return this.reader.queryRaw(q);
    return this.autocommit(() => this.writer.queryRaw(q));
  }

  async executeRaw(q: SqlQuery): Promise<number> {
    if (this.isRead(q.sql)) return this.reader.executeRaw(q);
    return this.autocommit(() => this.writer.executeRaw(q));
  }

  private async autocommit<T>(run: () => Promise<T>): Promise<T> {
    const release = await this.begin();
    try {
      const result = await run();
      await this.writer.executeRaw(stmt("COMMIT"));
      return result;
    } catch (e) {
      if (this.client.inTransaction) await this.writer.executeRaw(stmt("ROLLBACK")).catch(() => undefined);
      throw e;
    } finally {
      release();
    }
  }

  async executeScript(script: string): Promise<void> {
    const release = await this.lock.acquire();
    try {
      await this.writer.executeScript(script);
    } finally {
      release();
    }
  }

  async startTransaction(isolationLevel?: IsolationLevel): Promise<Transaction> {
    if (isolationLevel && isolationLevel !== "SERIALIZABLE") return this.writer.startTransaction(isolationLevel); // the adapter's own refusal
    const release = await this.begin();
    return new SerialisedTransaction(this.writer, this.client, release);
  }

  async dispose(): Promise<void> {
    await this.reader.dispose();
    await this.writer.dispose();
  }
}

/** The adapter factory openDatabase gives PrismaClient. */
export class SerialisedSqlite implements SqlDriverAdapterFactory {
  readonly provider = "sqlite" as const;
  readonly adapterName = "@prisma/adapter-better-sqlite3";

  private adapter: SerialisedAdapter | null = null;

  constructor(
    private readonly file: string,
    private readonly opts: Options = {},
  ) {}

  async connect(): Promise<SqlDriverAdapter> {
    // The writer never sleeps inside SQLite (timeout 0): begin() waits asynchronously instead.
    const writer = await new PrismaBetterSqlite3({ url: `file:${this.file}`, timeout: 0 }).connect();
    const reader = await new PrismaBetterSqlite3({ url: `file:${this.file}`, timeout: 5_000 }).connect();
    this.adapter = new SerialisedAdapter(writer, reader, this.opts);
    return this.adapter;
  }

  /**
   * The writer connection itself, for bulk statements run synchronously inside a write transaction
   * of this client (e.g. a fan-out chunk: 100 rows in ~1 ms where Prisma's createMany spent 50–100 ms
   * of CPU holding SQLite's lock while the serving thread waited to store an event). Only while that
   * transaction is open: the connection is then this thread's, and the statements join it.
   * Null when no transaction is open.
   */
  writerInTransaction(): BetterSqlite3.Database | null {
    const raw = this.adapter?.rawWriter;
    return raw?.inTransaction ? raw : null;
  }
}
