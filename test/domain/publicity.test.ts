import { describe, expect, it } from "vitest";
import {
  parsePickedDate,
  publicationDateProblem,
  publicityRate,
  publicityState,
  ratioBpHalfUp,
} from "../../src/domain/publicity";
import { formatBp, rateBp } from "../../src/domain/results";

describe("publicity rate (spec §9)", () => {
  it("rounds half-up, never truncates", () => {
    expect(ratioBpHalfUp(12, 110)).toBe(1091); // 10.909…% → 10.91%, not 10.90%
    expect(formatBp(ratioBpHalfUp(12, 110))).toBe("10.91%");
    expect(ratioBpHalfUp(1, 8)).toBe(1250);
    expect(ratioBpHalfUp(1, 3)).toBe(3333);
    expect(ratioBpHalfUp(2, 3)).toBe(6667);
    expect(ratioBpHalfUp(1, 16)).toBe(625); // 6.25% exactly
    expect(ratioBpHalfUp(1, 1600)).toBe(6); // 0.0625% → 0.06% (half-up at the 3rd decimal only)
    expect(ratioBpHalfUp(1, 2000)).toBe(5); // 0.05% exactly
    expect(ratioBpHalfUp(1, 40000)).toBe(0); // 0.0025% → 0.00%
    expect(ratioBpHalfUp(1, 20000)).toBe(1); // 0.005% → 0.01% (half up)
    expect(ratioBpHalfUp(0, 0)).toBeNull();
    expect(rateBp(12, 110)).toBe(1091); // the other rates round the same way
  });

  it("on time ÷ (published + overdue unpublished); not-yet-due results stay out", () => {
    const today = "2026-12-10";
    const rows = [
      { due: "2026-12-01", publishedOn: "2026-12-01" }, // on time (same day)
      { due: "2026-12-01", publishedOn: "2026-12-02" }, // late
      { due: "2026-12-09", publishedOn: null }, // overdue
      { due: "2026-12-10", publishedOn: null }, // due today: pending, not overdue
      { due: "2026-12-20", publishedOn: null }, // pending
    ];
    expect(publicityRate(rows, today)).toEqual({ onTime: 1, published: 2, overdue: 1, pending: 2, rateBp: 3333 });
    expect(publicityRate([], today).rateBp).toBeNull();
    expect(publicityRate([{ due: "2026-12-20", publishedOn: null }], today).rateBp).toBeNull();
    expect(publicityState(rows[0]!, today)).toBe("已公示");
    expect(publicityState(rows[2]!, today)).toBe("逾期未公示");
    expect(publicityState(rows[3]!, today)).toBe("待公示");
  });

  it("a 公示日期 lies between the confirmation date and today", () => {
    expect(parsePickedDate("2026-12-01 +0800")).toBe("2026-12-01");
    expect(parsePickedDate("2026-02-30")).toBeNull();
    expect(parsePickedDate(42)).toBeNull();
    expect(publicationDateProblem("2026-12-01", "2026-12-01", "2026-12-01")).toBeNull();
    expect(publicationDateProblem("2026-11-30", "2026-12-01", "2026-12-05")).toMatch(/早于结果确认日期/);
    expect(publicationDateProblem("2026-12-06", "2026-12-01", "2026-12-05")).toMatch(/晚于今天/);
  });
});
