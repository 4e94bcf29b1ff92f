import { existsSync } from "node:fs";
import path from "node:path";

/** The package root, whether running from src/ (tsx, vitest) or dist/src/ (compiled). */
export const projectRoot: string = (() => {
  for (let dir = __dirname; ; dir = path.dirname(dir)) {
    if (existsSync(path.join(dir, "package.json")) && existsSync(path.join(dir, "prisma"))) return dir;
    if (path.dirname(dir) === dir) throw new Error("cannot find the project root (package.json + prisma/)");
  }
})();

export const migrationsDir = path.join(projectRoot, "prisma", "migrations");
