import { parentPort, workerData } from "node:worker_threads";
import { loadConfig } from "../config";
import { createLogger } from "../logger";
import { createProcessing } from "../runtime";
import { openDatabase } from "../store/db";
import { createLarkClient } from "./client";
import { IntakeSignal } from "./intakeSignal";

/** The worker thread: inbox worker and outbox sender over their own database connection. */
async function main(): Promise<void> {
  const { env, intake } = workerData as { env: NodeJS.ProcessEnv; intake: SharedArrayBuffer };
  const signal = new IntakeSignal(intake);
  const config = loadConfig(env);
  const logger = createLogger(config.LOG_LEVEL);
  // Writes wait for the intake's requests in flight (a few ms at most) before taking SQLite's lock.
  const db = openDatabase(config.DATABASE_URL, { beforeWrite: () => signal.yieldToIntake() });
  const { worker, outbox } = createProcessing({ db, config, logger, client: createLarkClient(config, logger), beforeEach: () => signal.yieldToIntake() });
  parentPort!.on("message", (m: { type: string; id?: number }) => {
    if (m.type === "events") void worker.kick();
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
  void worker.kick(); // resume what was stored before a restart
  void outbox.kick();
  parentPort!.postMessage({ type: "ready" });
}

void main();
