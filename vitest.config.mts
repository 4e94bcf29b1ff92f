import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    // Large margins: CI runs the whole suite on a loaded, shared machine, where a test that takes 3 s alone
    // has taken over 25 s (the outbox crash test, the concurrency test). A timeout is for a hung test only.
    testTimeout: 120_000,
    hookTimeout: 180_000,
    // Each test file gets its own SQLite file; forks keep better-sqlite3's native handles per process.
    pool: "forks",
    env: {
      TZ: "America/Los_Angeles", // deliberately not Shanghai: dates must not depend on the server's TZ
      // One bureau date for the whole run, so a suite that crosses midnight in Shanghai doesn't see two
      // (`DRBOT_TODAY=2027-06-01 npm test` still pins another).
      DRBOT_TODAY:
        process.env.DRBOT_TODAY ?? new Intl.DateTimeFormat("en-CA", { timeZone: "Asia/Shanghai" }).format(new Date()),
    },
    // CI also writes JSON results, from which .ci/run prints the plain "N passed, N failed" line.
    reporters: process.env.CI ? ["default", ["json", { outputFile: ".tmp/vitest-results.json" }]] : ["default"],
  },
});
