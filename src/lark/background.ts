import { existsSync } from "node:fs";
import path from "node:path";
import { Worker } from "node:worker_threads";
import { projectRoot } from "../paths";

/**
 * Event processing and sending run in a worker thread with their own database connection, so the
 * HTTP intake keeps its own core and acknowledges Feishu quickly however busy processing is.
 * Messages: "events" (something was stored), "outbox" (something was queued), "idle?" → "idle".
 */
export class BackgroundThread {
  private readonly worker: Worker;
  private readonly waiting = new Map<number, () => void>();
  private seq = 0;
  readonly ready: Promise<void>;

  constructor(env: NodeJS.ProcessEnv, intake: SharedArrayBuffer) {
    // Always the compiled entry (npm install and npm test build it): Node 20's worker threads can't
    // load TypeScript through a loader, and tests run from the sources.
    const entry = path.join(projectRoot, "dist", "src", "lark", "background-entry.js");
    if (!existsSync(entry)) throw new Error(`${entry} is missing: run npm run build`);
    // A 3 MB young generation (≈ --max-semi-space-size=1, as npm start gives the serving thread): under load the default
    // 48 MB of short-lived objects is resident memory, and short scavenges don't hurt latency (bench:webhook).
    this.worker = new Worker(entry, { workerData: { env, intake }, env: { ...process.env, ...env }, resourceLimits: { maxYoungGenerationSizeMb: 3 } });
    this.ready = new Promise((resolve, reject) => {
      this.worker.once("error", reject);
      this.worker.on("message", (m: { type: string; id?: number }) => {
        if (m.type === "ready") resolve();
        if (m.type === "idle" && m.id !== undefined) {
          this.waiting.get(m.id)?.();
          this.waiting.delete(m.id);
        }
      });
    });
    this.worker.unref();
  }

  events(): void {
    this.worker.postMessage({ type: "events" });
  }

  outbox(): void {
    this.worker.postMessage({ type: "outbox" });
  }

  /** Resolves when the thread has nothing left to process or send right now. */
  idle(): Promise<void> {
    const id = ++this.seq;
    return new Promise((resolve) => {
      this.waiting.set(id, resolve);
      this.worker.postMessage({ type: "idle?", id });
    });
  }

  async stop(): Promise<void> {
    const id = ++this.seq;
    await new Promise<void>((resolve) => {
      this.waiting.set(id, resolve);
      this.worker.postMessage({ type: "stop", id });
    });
    await this.worker.terminate();
  }
}
