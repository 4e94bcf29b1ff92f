import { spawn } from "node:child_process";
import { existsSync, readdirSync } from "node:fs";
import path from "node:path";
import Database from "better-sqlite3";
import { describe, expect, it } from "vitest";
import { drbot } from "../helpers/cli";
import { projectRoot } from "../../src/paths";
import { freshDb, loadDemo } from "../helpers/db";

/**
 * Another process writing all the time, as the running bot does: every transaction inserts two
 * rows, so any consistent copy holds an even number of them. It says "ready" once it has written.
 */
const WRITER = `
const Database = require("better-sqlite3");
const db = new Database(process.argv[1], { timeout: 10000 });
db.exec("CREATE TABLE IF NOT EXISTS pairs (k INTEGER PRIMARY KEY, v BLOB)");
const ins = db.prepare("INSERT INTO pairs (v) VALUES (?)");
const pair = db.transaction(() => { ins.run(Buffer.alloc(2000, 1)); ins.run(Buffer.alloc(2000, 2)); });
let n = 0;
const tick = () => { for (let i = 0; i < 20; i++) pair(); n++; if (n === 25) process.stdout.write("ready\\n"); setImmediate(tick); };
tick();
`;

describe("drbot backup <file>", () => {
  it("makes a consistent copy while another process keeps writing", async () => {
    const { db, url, dir } = freshDb();
    await loadDemo(db);
    const file = url.slice("file:".length);
    const writer = spawn(process.execPath, ["-e", WRITER, file], {
      cwd: projectRoot,
      stdio: ["ignore", "pipe", "inherit"],
    });
    try {
      await new Promise<void>((resolve, reject) => {
        writer.stdout.on("data", (c: Buffer) => c.toString().includes("ready") && resolve());
        writer.once("exit", (code) => reject(new Error(`writer exited ${code}`)));
      });
      // The bot's own connection writes too, through Prisma, during the copy.
      const botWrites = (async () => {
        for (let k = 0; k < 20; k++)
          await db.setting.upsert({
            where: { key: `k${k}` },
            create: { key: `k${k}`, value: "x" },
            update: { value: "y" },
          });
      })();
      const out = path.join(dir, "backup.db");
      const r = await drbot(["backup", out], { DATABASE_URL: url });
      await botWrites;
      expect(r.err).toBe("");
      expect(r.code).toBe(0);
      expect(r.out).toMatch(/^已备份：.*backup\.db（\d+ 页，[\d.]+ MB）$/);

      const copy = new Database(out, { readonly: true, fileMustExist: true });
      try {
        expect(copy.pragma("integrity_check", { simple: true })).toBe("ok");
        const pairs = (copy.prepare("SELECT COUNT(*) AS n FROM pairs").get() as { n: number }).n;
        expect(pairs).toBeGreaterThan(0);
        expect(pairs % 2).toBe(0); // never half a transaction
        expect((copy.prepare("SELECT COUNT(*) AS n FROM Target").get() as { n: number }).n).toBe(
          await db.target.count(),
        );
      } finally {
        copy.close();
      }
      // Only the finished copy is left behind (no partial file), and the writer never stopped.
      expect(readdirSync(dir).filter((f) => f.includes("partial"))).toEqual([]);
      expect(writer.exitCode).toBeNull();
    } finally {
      writer.kill();
      await db.$disconnect();
    }
  });

  it("refuses to overwrite, to copy onto the database, or to back up a missing database", async () => {
    const { db, url, dir } = freshDb();
    await db.$disconnect();
    const out = path.join(dir, "b.db");
    expect((await drbot(["backup", out], { DATABASE_URL: url })).code).toBe(0);
    const again = await drbot(["backup", out], { DATABASE_URL: url });
    expect(again.code).toBe(1);
    expect(again.err).toMatch(/已存在，不会覆盖/);
    expect((await drbot(["backup", url.slice("file:".length)], { DATABASE_URL: url })).err).toMatch(/不能是数据库本身/);
    const missing = await drbot(["backup", path.join(dir, "c.db")], {
      DATABASE_URL: `file:${path.join(dir, "none.db")}`,
    });
    expect(missing.err).toMatch(/数据库文件不存在/);
    expect(existsSync(path.join(dir, "c.db"))).toBe(false);
    expect((await drbot(["backup"], { DATABASE_URL: url })).err).toMatch(/缺少备份文件名/);
  });
});
