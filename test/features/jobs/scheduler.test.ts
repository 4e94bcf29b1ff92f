import { describe, expect, it } from "vitest";
import { JobScheduler } from "../../../src/features/jobs/scheduler";
import { createLogger } from "../../../src/logger";

const at = (iso: string) => ({ now: () => new Date(iso), today: () => iso.slice(0, 10) });

describe("the daily schedule", () => {
  it("catches up a missed run at start-up once JOBS_AT has passed in TZ_BUREAU, not before", async () => {
    const runs: string[] = [];
    const make = (iso: string) =>
      new JobScheduler({
        jobsAt: "09:00",
        timeZone: "Asia/Shanghai",
        clock: at(iso),
        run: async () => void runs.push(iso),
        logger: createLogger("silent"),
      });
    const early = make("2026-12-02T00:59:00Z"); // 08:59 in Shanghai
    await early.catchUp();
    await early.stop();
    expect(runs).toEqual([]);
    const late = make("2026-12-02T01:00:00Z"); // 09:00 in Shanghai
    await late.catchUp();
    await late.stop();
    expect(runs).toEqual(["2026-12-02T01:00:00Z"]);
  });

  it("a failing run is logged, not thrown, and later runs still happen", async () => {
    let calls = 0;
    const s = new JobScheduler({
      jobsAt: "00:00",
      timeZone: "Asia/Shanghai",
      clock: at("2026-12-02T03:00:00Z"),
      run: async () =>
        void (calls++ === 0
          ? (() => {
              throw new Error("boom");
            })()
          : undefined),
      logger: createLogger("silent"),
    });
    await s.catchUp();
    await s.catchUp();
    await s.stop();
    expect(calls).toBe(2);
  });
});
