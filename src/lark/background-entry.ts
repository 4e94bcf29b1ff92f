import { parentPort, workerData } from "node:worker_threads";
import { clockFromConfig } from "../clock";
import { loadConfig } from "../config";
import { createLogger } from "../logger";
import { createProcessing } from "../runtime";
import { openDatabase } from "../store/db";
import type { ThreadData } from "./background";
import { createLarkClient } from "./client";
import { IntakeSignal } from "./intakeSignal";

/** The worker thread: inbox worker and outbox sender over their own database connection. */
async function main(): Promise<void> {
  const data = workerData as ThreadData;
  const signal = new IntakeSignal(data.intake);
  const heartbeat = new Int32Array(data.heartbeat);
  const config = loadConfig(data.env);
  const logger = createLogger(config.LOG_LEVEL);
  // Writes wait for the intake's requests in flight (a few ms at most) before taking SQLite's lock.
  const db = openDatabase(config.DATABASE_URL, { beforeWrite: () => signal.yieldToIntake() });
  const clock = clockFromConfig(config, undefined, new Int32Array(data.clockOffset));

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
    botOpenId: data.botOpenId,
    client: createLarkClient(config, logger),
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
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, Number((m as { ms?: number }).ms)); // supervision tests: a stuck thread
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
  parentPort!.postMessage({ type: "ready" });
}

void main();
