import path from "node:path";
import { start } from "../../src/main";
import type { Db } from "../../src/store/db";
import { keepIdleConnections } from "./botRig";
import { tempDir } from "./db";

/**
 * `npm start` with no credentials (the sandbox) on a free port and a fresh database — or the given
 * database file (a restart), with extra environment (e.g. HOST, DRBOT_TODAY).
 */
export async function startSandbox(
  opts: { dbFile?: string; env?: NodeJS.ProcessEnv } = {},
): Promise<{ base: string; db: Db; stop: () => Promise<void>; accessToken: string | null; dbFile: string }> {
  const dbFile = opts.dbFile ?? path.join(tempDir(), "sandbox.db");
  const s = await start({
    PORT: "0",
    HOST: "127.0.0.1",
    DATABASE_URL: `file:${dbFile}`,
    LOG_LEVEL: "silent",
    // The suite's bureau date (DRBOT_TODAY=2027-06-01 npm test), unless the test pins its own.
    ...(process.env.DRBOT_TODAY ? { DRBOT_TODAY: process.env.DRBOT_TODAY } : {}),
    ...opts.env,
  });
  keepIdleConnections(s.server);
  const a = s.server.address();
  return {
    base: `http://127.0.0.1:${typeof a === "object" && a ? a.port : 0}`,
    db: s.db,
    stop: s.stop,
    accessToken: s.accessToken,
    dbFile,
  };
}
