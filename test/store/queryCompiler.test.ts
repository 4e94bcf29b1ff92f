import path from "node:path";
import { Worker } from "node:worker_threads";
import { describe, expect, it } from "vitest";
import { projectRoot } from "../../src/paths";
import { openDatabase } from "../../src/store/db";
import { compiledQueryCompiler } from "../../src/store/queryCompiler";
import { tempDir } from "../helpers/db";

// What a thread given the parent's compiled query compiler does (the compiled build, as the processing thread runs it).
const WORKER = `
const { workerData, parentPort } = require("node:worker_threads");
const { openDatabase } = require(workerData.dbModule);
let compiled = 0; // counts every WebAssembly module this thread compiles itself
const Module = WebAssembly.Module;
WebAssembly.Module = function (bytes) {
  compiled++;
  return new Module(bytes);
};
(async () => {
  const db = openDatabase(workerData.url, { queryCompiler: workerData.module });
  const count = await db.inspector.count();
  await db.$disconnect();
  parentPort.postMessage({ count, compiled });
})().catch((e) => parentPort.postMessage({ error: String(e && e.stack || e) }));
`;

describe("one compiled Prisma query compiler per process", () => {
  it("is handed to another thread, which queries with it without decoding its own copy", async () => {
    const url = `file:${path.join(tempDir(), "qc.db")}`;
    const db = openDatabase(url);
    try {
      const module = await compiledQueryCompiler(db);
      expect(Object.prototype.toString.call(module)).toBe("[object WebAssembly.Module]");
      expect(await db.inspector.count()).toBe(0); // this thread's client runs on it too

      const worker = new Worker(WORKER, {
        eval: true,
        workerData: { module, url, dbModule: path.join(projectRoot, "dist", "src", "store", "db.js") },
      });
      const answer = await new Promise<{ count?: number; compiled?: number; error?: string }>((resolve, reject) => {
        worker.once("message", resolve);
        worker.once("error", reject);
      });
      await worker.terminate();
      expect(answer.error).toBeUndefined();
      expect(answer).toEqual({ count: 0, compiled: 0 });
    } finally {
      await db.$disconnect();
    }
  });
});
