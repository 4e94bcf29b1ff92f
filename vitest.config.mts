import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // Each test file gets its own SQLite file; forks keep better-sqlite3's native handles per process.
    pool: "forks",
    env: { TZ: "America/Los_Angeles" }, // deliberately not Shanghai: dates must not depend on the server's TZ
    // CI also writes JSON results, from which .ci/run prints the plain "N passed, N failed" line.
    reporters: process.env.CI ? ["default", ["json", { outputFile: ".tmp/vitest-results.json" }]] : ["default"],
  },
});
