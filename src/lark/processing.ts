import { existsSync } from "node:fs";
import path from "node:path";
import { Worker } from "node:worker_threads";
import { AppError, type ErrorCode } from "../domain/errors";
import type { Logger } from "../logger";
import type { CompiledWasm } from "../store/queryCompiler";
import { projectRoot } from "../paths";

/** What the processing thread is started with (workerData). */
export interface ThreadData {
  env: NodeJS.ProcessEnv;
  intake: SharedArrayBuffer;
  /** Bumped by the thread on every processing step and on an idle timer: the supervisor's proof of progress. */
  heartbeat: SharedArrayBuffer;
  /** The clock's shared day-offset cell (BureauClock.offsetCell), so both threads share the bureau date. */
  clockOffset: SharedArrayBuffer;
  /** This bot's open_id (in a group only a mention of it counts), when already known. */
  botOpenId: string | null;
  /**
   * Read the bot's open_id from Feishu before starting (retrying for up to windowMs), and report it
   * with "ready". The thread does it because it loads the SDK anyway; the serving thread never does.
   */
  readBotInfo?: { windowMs?: number };
  /** Prisma's query compiler as this process already compiled it: the thread runs on the same code (queryCompiler.ts). */
  queryCompiler?: CompiledWasm;
  /** A step that runs longer than this without finishing counts as no progress. */
  stallMs: number;
}

export interface SupervisorOptions {
  logger?: Logger;
  /** No heartbeat for this long → the thread is restarted (default 120 s: a file import may take a while). */
  stallMs?: number;
  /** First restart delay; doubles up to maxBackoffMs, resets after a healthy minute. */
  backoffMs?: number;
  maxBackoffMs?: number;
  /** How long stop() waits for the thread to finish its current step before terminating it. */
  stopTimeoutMs?: number;
}

const withTimeout = <T>(p: Promise<T>, ms: number): Promise<T | "timeout"> =>
  new Promise((resolve, reject) => {
    const t = setTimeout(() => resolve("timeout"), ms);
    p.then(
      (v) => (clearTimeout(t), resolve(v)),
      (e: unknown) => (clearTimeout(t), reject(e as Error)),
    );
  });

/**
 * Event processing and sending run in a worker thread with their own database connection, so the
 * HTTP intake keeps its own core and acknowledges Feishu quickly however busy processing is.
 * Messages: "events" (something was stored), "outbox" (something was queued), "idle?" → "idle".
 *
 * The thread is supervised: one that exits, throws, or whose heartbeat stops moving is terminated and
 * started again with back-off (work is in the database, so a restart resumes it). The worker is
 * deliberately not unref()'d: in production it is part of what keeps the process running.
 */
export class ProcessingThread {
  private worker!: Worker;
  private readonly waiting = new Map<number, () => void>();
  private seq = 0;
  private stopping = false;
  private alive = false;
  private lastBeat = 0;
  private lastBeatAt = Date.now();
  private startedAt = Date.now();
  private backoff: number;
  private restartTimer: NodeJS.Timeout | null = null;
  private readonly watchdog: NodeJS.Timeout;
  private readonly heartbeat = new SharedArrayBuffer(4);
  private readonly opts: Required<Omit<SupervisorOptions, "logger">> & { logger?: Logger };
  /** How many times the thread was restarted (tests, logs). */
  restarts = 0;
  /** The bot's open_id: as given, or as the thread read it from Feishu at its first start. */
  botOpenId: string | null;
  readonly ready: Promise<void>;
  private readonly startLimitMs: number;

  constructor(
    private readonly data: Omit<ThreadData, "heartbeat" | "stallMs">,
    options: SupervisorOptions = {},
  ) {
    this.opts = { stallMs: 120_000, backoffMs: 1000, maxBackoffMs: 60_000, stopTimeoutMs: 4000, ...options };
    this.backoff = this.opts.backoffMs;
    this.botOpenId = data.botOpenId;
    // Starting may include reading the bot's identity with retries: the start limit covers that window.
    this.startLimitMs =
      Math.max(this.opts.stallMs, 60_000) + (data.readBotInfo ? (data.readBotInfo.windowMs ?? 60_000) : 0);
    // Always the compiled entry (npm install and npm test build it): Node 20's worker threads can't
    // load TypeScript through a loader, and tests run from the sources.
    const entry = path.join(projectRoot, "dist", "src", "lark", "processing-entry.js");
    if (!existsSync(entry)) throw new Error(`${entry} is missing: run npm run build`);
    this.ready = new Promise((resolve, reject) => this.spawn(entry, resolve, reject));
    this.ready.catch(() => {}); // the caller awaits it; a restart must not leave an unhandled rejection
    this.watchdog = setInterval(() => this.check(entry), Math.min(1000, Math.max(20, this.opts.stallMs / 4)));
    this.watchdog.unref();
  }

  private spawn(entry: string, onReady?: () => void, onFail?: (e: Error) => void): void {
    const data: ThreadData = {
      ...this.data,
      botOpenId: this.botOpenId,
      // A restarted thread reuses what the first one read.
      readBotInfo: this.botOpenId === null ? this.data.readBotInfo : undefined,
      heartbeat: this.heartbeat,
      stallMs: this.opts.stallMs,
    };
    // A 3 MB young generation (≈ --max-semi-space-size=1, as npm start gives the serving thread): under load the default
    // 48 MB of short-lived objects is resident memory, and short scavenges don't hurt latency (bench:webhook).
    const worker = new Worker(entry, {
      workerData: data,
      env: { ...process.env, ...this.data.env },
      resourceLimits: { maxYoungGenerationSizeMb: 3 },
    });
    this.worker = worker;
    this.alive = false;
    this.lastBeatAt = Date.now();
    this.startedAt = Date.now();
    worker.on(
      "message",
      (m: { type: string; id?: number; botOpenId?: string | null; code?: string; message?: string }) => {
        if (worker !== this.worker) return;
        if (m.type === "fatal") {
          // The thread could not start (e.g. the bot's identity could not be read): start-up fails with its cause.
          const e = new AppError(
            (m.code as ErrorCode | undefined) ?? "THREAD_START",
            m.message ?? "processing thread failed to start",
          );
          if (onFail && !this.alive) return this.failStart(onFail, e);
          this.opts.logger?.error({ err: e }, "processing thread failed to start; restarting");
          return this.restart(entry);
        }
        if (m.type === "ready") {
          if (m.botOpenId !== undefined) this.botOpenId = m.botOpenId;
          this.alive = true;
          this.lastBeatAt = Date.now();
          onReady?.();
          // Whoever waited for "idle" from a thread that died asks the new one.
          for (const id of this.waiting.keys()) worker.postMessage({ type: "idle?", id });
        }
        if (m.type === "idle" && m.id !== undefined) {
          this.waiting.get(m.id)?.();
          this.waiting.delete(m.id);
        }
      },
    );
    worker.on("error", (e) => {
      if (worker !== this.worker) return;
      if (onFail && !this.alive) return this.failStart(onFail, e); // the first start failed: start-up fails
      this.opts.logger?.error({ err: e }, "processing thread crashed; restarting");
      this.restart(entry);
    });
    worker.on("exit", (code) => {
      if (worker !== this.worker || this.stopping) return;
      if (onFail && !this.alive)
        return this.failStart(onFail, new Error(`processing thread exited with code ${code} before it was ready`));
      this.opts.logger?.error({ code }, "processing thread exited; restarting");
      this.restart(entry);
    });
  }

  /** The first start failed: nothing to supervise (the caller's start-up fails). */
  private failStart(onFail: (e: Error) => void, e: Error): void {
    this.stopping = true;
    clearInterval(this.watchdog);
    void this.worker.terminate().catch(() => {});
    onFail(e);
  }

  /** The watchdog: a heartbeat that hasn't moved for stallMs means the thread is stuck. */
  private check(entry: string): void {
    if (this.stopping || this.restartTimer) return;
    const now = Date.now();
    if (!this.alive) {
      // Still starting (loading modules, opening the database): its own, longer limit.
      if (now - this.startedAt > this.startLimitMs) {
        this.opts.logger?.error({ startingForMs: now - this.startedAt }, "processing thread did not start; restarting");
        this.restart(entry);
      }
      return;
    }
    const beat = Atomics.load(new Int32Array(this.heartbeat), 0);
    if (beat !== this.lastBeat) {
      this.lastBeat = beat;
      this.lastBeatAt = now;
      if (now - this.startedAt > 60_000) this.backoff = this.opts.backoffMs; // healthy for a while: start over
      return;
    }
    if (now - this.lastBeatAt > this.opts.stallMs) {
      this.opts.logger?.error(
        { silentForMs: now - this.lastBeatAt },
        "processing thread stopped making progress; restarting",
      );
      this.restart(entry);
    }
  }

  private restart(entry: string): void {
    if (this.stopping || this.restartTimer) return;
    this.alive = false;
    const old = this.worker;
    this.worker = null as unknown as Worker; // messages from the old thread are ignored from now on
    void old.terminate().catch(() => {});
    const delay = this.backoff;
    this.backoff = Math.min(this.backoff * 2, this.opts.maxBackoffMs);
    this.restarts++;
    this.opts.logger?.warn({ inMs: delay, restarts: this.restarts }, "processing thread will be restarted");
    this.restartTimer = setTimeout(() => {
      this.restartTimer = null;
      if (this.stopping) return;
      this.spawn(entry);
      this.opts.logger?.info({ restarts: this.restarts }, "processing thread restarted");
    }, delay);
  }

  /** Alive and making progress (for /healthz). */
  healthy(): boolean {
    return this.alive && !this.restartTimer && Date.now() - this.lastBeatAt <= this.opts.stallMs;
  }

  private post(message: Record<string, unknown>): void {
    // Between a crash and the restart there is no thread: the new one resumes from the database.
    if (this.worker && this.alive) this.worker.postMessage(message);
  }

  events(): void {
    this.post({ type: "events" });
  }

  outbox(): void {
    this.post({ type: "outbox" });
  }

  /** Resolves when the thread has nothing left to process or send right now. */
  idle(): Promise<void> {
    const id = ++this.seq;
    return new Promise((resolve) => {
      this.waiting.set(id, resolve);
      this.post({ type: "idle?", id });
    });
  }

  /** Lets the current step finish (bounded by stopTimeoutMs), then ends the thread. Never hangs. */
  async stop(): Promise<void> {
    this.stopping = true;
    clearInterval(this.watchdog);
    if (this.restartTimer) clearTimeout(this.restartTimer);
    this.restartTimer = null;
    const worker = this.worker;
    if (!worker) return;
    if (this.alive) {
      const id = ++this.seq;
      const finished = new Promise<void>((resolve) => {
        this.waiting.set(id, resolve);
        worker.postMessage({ type: "stop", id });
      });
      if ((await withTimeout(finished, this.opts.stopTimeoutMs)) === "timeout")
        this.opts.logger?.warn("processing thread did not finish its step in time; terminating it");
    }
    await withTimeout(worker.terminate(), 1500);
  }
}
