/**
 * The bot as its own process for bench:webhook, so its whole-process memory (VmHWM) can be read
 * from /proc: the same start() as `npm start` (dist/src/main.js), configured from the environment,
 * stopped by SIGTERM. (It holds the event loop open itself: main.js, on this branch, exits early
 * while the processing thread starts — issue 8 §1, fixed elsewhere.)
 */
import { start } from "../src/main";

const keepAlive = setInterval(() => {}, 1 << 30);
start()
  .then(({ stop }) => {
    process.once("SIGTERM", () => void stop().finally(() => process.exit(0)));
    clearInterval(keepAlive);
    setInterval(() => {}, 1 << 30); // the HTTP server holds the loop too; this keeps it explicit
  })
  .catch((e: unknown) => {
    process.stderr.write(`${(e as Error).stack}\n`);
    process.exit(1);
  });
