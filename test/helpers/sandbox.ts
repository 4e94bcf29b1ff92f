import path from "node:path";
import { start } from "../../src/main";
import type { Db } from "../../src/store/db";
import { tempDir } from "./db";

/** `npm start` with no credentials (the sandbox) on a free port and a fresh database. */
export async function startSandbox(): Promise<{ base: string; db: Db; stop: () => Promise<void> }> {
  const s = await start({ PORT: "0", HOST: "127.0.0.1", DATABASE_URL: `file:${path.join(tempDir(), "sandbox.db")}`, LOG_LEVEL: "silent" });
  const a = s.server.address();
  return { base: `http://127.0.0.1:${typeof a === "object" && a ? a.port : 0}`, db: s.db, stop: s.stop };
}
