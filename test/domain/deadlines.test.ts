import { describe, expect, it } from "vitest";
import { WorkCalendar } from "../../src/domain/calendar";
import {
  dueState,
  dueText,
  givenDeadline,
  isDueSoon,
  isFirstWorkingDayOfWeek,
  showDeadline,
  timeInZone,
  workingDeadline,
} from "../../src/domain/deadlines";

describe("deadlines and how they are shown", () => {
  const cal = new WorkCalendar();

  it("a 20-working-day deadline across 元旦 2027 is weekends-only and carries the unknown year", () => {
    const d = workingDeadline(cal, "2026-12-28", 20);
    expect(d).toEqual({ date: "2027-01-25", uncoveredYear: 2027 });
    expect(showDeadline(d.date, d.uncoveredYear)).toBe("2027-01-25（未导入2027年节假日安排，日期待确认）");
    const imported = new WorkCalendar([{ date: "2027-01-01", kind: "休" }]);
    expect(workingDeadline(imported, "2026-12-28", 20)).toEqual({ date: "2027-01-26", uncoveredYear: null });
  });

  it("a deadline inside covered years is certain; a given date in an unknown year is flagged", () => {
    expect(workingDeadline(cal, "2026-09-25", 20)).toEqual({ date: "2026-10-29", uncoveredYear: null });
    expect(givenDeadline(cal, "2027-03-01")).toEqual({ date: "2027-03-01", uncoveredYear: 2027 });
    expect(showDeadline("2026-12-01", null)).toBe("2026-12-01");
  });

  it("counts working days overdue or left", () => {
    expect(dueText(dueState(cal, "2026-12-16", "2026-12-15"))).toBe("逾期1个工作日");
    expect(dueText(dueState(cal, "2026-12-21", "2026-12-15"))).toBe("逾期4个工作日"); // 16, 17, 18, 21
    expect(dueText(dueState(cal, "2026-12-10", "2026-12-15"))).toBe("还剩3个工作日"); // 11, 14, 15
    expect(dueText(dueState(cal, "2026-12-15", "2026-12-15"))).toBe("今日到期");
    expect(isDueSoon(cal, "2026-12-10", "2026-12-15")).toBe(true);
    expect(isDueSoon(cal, "2026-12-09", "2026-12-15")).toBe(false);
    expect(isDueSoon(cal, "2026-12-16", "2026-12-15")).toBe(true);
  });

  it("knows the first working day of a week, after holidays too", () => {
    expect(isFirstWorkingDayOfWeek(cal, "2026-12-07")).toBe(true); // Monday
    expect(isFirstWorkingDayOfWeek(cal, "2026-12-08")).toBe(false);
    expect(isFirstWorkingDayOfWeek(cal, "2026-10-05")).toBe(false); // 国庆 holiday
    expect(isFirstWorkingDayOfWeek(cal, "2026-10-08")).toBe(true); // Thursday after 国庆
    expect(isFirstWorkingDayOfWeek(cal, "2026-10-10")).toBe(false); // 补班 Saturday, not the first
  });

  it("reads the time of day in the bureau's zone", () => {
    expect(timeInZone(new Date("2026-12-02T01:00:00Z"), "Asia/Shanghai")).toBe("09:00");
    expect(timeInZone(new Date("2026-12-02T16:30:00Z"), "Asia/Shanghai")).toBe("00:30");
  });
});
