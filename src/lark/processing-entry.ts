import { getPriority, setPriority } from "node:os";
import { parentPort, workerData } from "node:worker_threads";
import { clockFromConfig } from "../clock";
import { loadConfig } from "../config";
import { createLogger } from "../logger";
import { createProcessing } from "../runtime";
import { openDatabase } from "../store/db";
import type { ThreadData } from "./processing";
import { fetchBotOpenId } from "./botInfo";
import { createLarkClient } from "./client";
import { IntakeSignal } from "./intakeSignal";

/**
 * Processing is durable and can wait; acknowledgements can't (Feishu retries an event not answered
 * in time). So this thread runs at a lower CPU priority than the serving thread: on Linux a nice
 * value is per thread, and os.setPriority(0, …) sets the calling thread's only. When the cores are
 * busy (a reveal's fan-out: 3,900 cards built, queued and sent), the serving thread gets them first;
 * on an idle machine it changes nothing. Best effort: refused, the thread runs at normal priority.
 */
const PROCESSING_NICE = 10;
function lowerPriority(): void {
  try {
    if (process.platform === "linux") setPriority(0, Math.max(getPriority(0), PROCESSING_NICE));
  } catch {
    /* not permitted here: normal priority */
  }
}

/** The worker thread: inbox worker and outbox sender over their own database connection. */
async function main(): Promise<void> {
  const data = workerData as ThreadData;
  lowerPriority();
  const signal = new IntakeSignal(data.intake);
  const heartbeat = new Int32Array(data.heartbeat);
  const config = loadConfig(data.env);
  const logger = createLogger(config.LOG_LEVEL);
  // Writes wait for the intake's requests in flight (a few ms at most) before taking SQLite's lock.
  const db = openDatabase(config.DATABASE_URL, {
    beforeWrite: () => signal.yieldToIntake(),
    queryCompiler: data.queryCompiler,
  });
  const clock = clockFromConfig(config, undefined, new Int32Array(data.clockOffset));
  const client = createLarkClient(config, logger);
  let botOpenId = data.botOpenId;
  if (data.readBotInfo && botOpenId === null) {
    try {
      // In a group only a mention of this bot counts: its open_id is read once, before anything is processed.
      botOpenId = await fetchBotOpenId(client, { logger, windowMs: data.readBotInfo.windowMs });
    } catch (e) {
      const err = e as { code?: string; message?: string };
      parentPort!.postMessage({ type: "fatal", code: err.code, message: err.message ?? String(e) });
      await db.$disconnect();
      return;
    }
  }

  // Progress proof for the supervisor: every step beats; so does an idle timer, unless an event
  // step has been running longer than stallMs (a hung handler or a hung Feishu call).
  let busy = 0;
  let stepAt = Date.now();
  const beat = () => Atomics.add(heartbeat, 0, 1);
  const beforeEach = async () => {
    stepAt = Date.now();
    beat();
    await signal.yieldToIntake();
  };
  setInterval(
    () => {
      if (busy === 0 || Date.now() - stepAt < data.stallMs) beat();
    },
    Math.min(1000, Math.max(10, data.stallMs / 4)),
  ).unref();

  const { worker, outbox } = createProcessing({
    db,
    config,
    logger,
    clock,
    botOpenId,
    client,
    beforeEach,
  });
  const kickEvents = () => {
    busy++;
    void worker
      .kick()
      .catch((e: unknown) => logger.error({ err: e }, "event processing failed"))
      .finally(() => busy--);
  };
  parentPort!.on("message", (m: { type: string; id?: number }) => {
    if (m.type === "events") kickEvents();
    else if (m.type === "test:block")
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, Number((m as { ms?: number }).ms)); // the processing-thread tests: a stuck thread
    else if (m.type === "outbox") void outbox.kick();
    else if (m.type === "idle?" || m.type === "stop") {
      if (m.type === "stop") {
        outbox.stop();
        worker.stop();
      }
      void (async () => {
        await worker.idle();
        await outbox.idle();
        if (m.type === "stop") await db.$disconnect();
        parentPort!.postMessage({ type: "idle", id: m.id });
      })();
    }
  });
  kickEvents(); // resume what was stored before a restart
  void outbox.kick();
  parentPort!.postMessage({ type: "ready", botOpenId });
}

void main();
