import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // Each test file gets its own SQLite file; forks keep better-sqlite3's native handles per process.
    pool: "forks",
    env: { TZ: "America/Los_Angeles" }, // deliberately not Shanghai: dates must not depend on the server's TZ
  },
});
