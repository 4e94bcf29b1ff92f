import { describe, expect, it } from "vitest";
import { BUNDLED_YEARS, dateInZone, WorkCalendar } from "../../src/domain/calendar";

describe("working-day calendar (Asia/Shanghai)", () => {
  const cal = new WorkCalendar();

  it("knows 调休: the Saturday 2026-10-10 is a working day, National Day is not", () => {
    expect(cal.isWorkingDay("2026-10-10")).toBe(true);
    expect(cal.isWorkingDay("2026-10-05")).toBe(false);
    expect(cal.isWorkingDay("2026-10-11")).toBe(false); // ordinary Sunday
  });

  it("20 working days after 2026-09-25 is 2026-10-29 (skips 国庆, counts the 补班 Saturday)", () => {
    expect(cal.addWorkingDays("2026-09-25", 20)).toEqual({ date: "2026-10-29", warnings: [] });
  });

  it("warns when a deadline runs into a year that neither the package nor an import covers", () => {
    expect(BUNDLED_YEARS.has(2027)).toBe(false);
    const r = cal.addWorkingDays("2026-12-20", 20);
    expect(r.date).toBe("2027-01-15"); // weekdays only: 2027-01-01 counted as a working day
    expect(r.warnings).toHaveLength(1);
    expect(r.warnings[0]).toMatch(/2027 年的法定节假日安排尚未导入/);
  });

  it("imported 节假日安排 override and extend the bundled data", () => {
    const withImport = new WorkCalendar([
      { date: "2027-01-01", kind: "休" },
      { date: "2026-10-11", kind: "班" }, // a local override inside a bundled year
    ]);
    expect(withImport.addWorkingDays("2026-12-20", 20)).toEqual({ date: "2027-01-18", warnings: [] });
    expect(withImport.isWorkingDay("2026-10-11")).toBe(true);
  });

  it("counts working days between dates in both directions", () => {
    expect(cal.workingDaysBetween("2026-09-25", "2026-10-29")).toBe(20);
    expect(cal.workingDaysBetween("2026-10-29", "2026-09-25")).toBe(-20);
    expect(cal.workingDaysBetween("2026-10-01", "2026-10-01")).toBe(0);
  });

  it("takes today's date in the bureau's zone, not the server's (TZ is set to Los Angeles in tests)", () => {
    const instant = new Date("2026-11-25T17:30:00Z"); // 01:30 on the 26th in Shanghai, 09:30 on the 25th in LA
    expect(dateInZone(instant, "Asia/Shanghai")).toBe("2026-11-26");
    expect(new Date(instant).getDate()).toBe(25);
  });

  it("rejects invalid input", () => {
    expect(() => cal.addWorkingDays("2026-02-30", 1)).toThrow(RangeError);
    expect(() => cal.addWorkingDays("2026-02-01", -1)).toThrow(RangeError);
  });
});

describe("agreement with chinese-days itself", () => {
  it("every working day 2024–2026 matches chinese-days run in Shanghai time", async () => {
    const { execFileSync } = await import("node:child_process");
    // chinese-days' isWorkday is only right in a China TZ, so ask it in a child process that has one.
    const script = `const c=require("chinese-days");const out=[];for(let d=new Date("2024-01-01T00:00:00+08:00");d<new Date("2027-01-01T00:00:00+08:00");d=new Date(d.getTime()+864e5)){const s=d.toLocaleDateString("en-CA",{timeZone:"Asia/Shanghai"});if(c.isWorkday(s))out.push(s)}process.stdout.write(JSON.stringify(out))`;
    const theirs: string[] = JSON.parse(
      execFileSync(process.execPath, ["-e", script], {
        env: { ...process.env, TZ: "Asia/Shanghai" },
        encoding: "utf8",
      }),
    );
    const ours: string[] = [];
    const cal = new WorkCalendar();
    for (
      let d = new Date("2024-01-01T00:00:00Z");
      d < new Date("2027-01-01T00:00:00Z");
      d = new Date(d.getTime() + 864e5)
    ) {
      const s = d.toISOString().slice(0, 10);
      if (cal.isWorkingDay(s)) ours.push(s);
    }
    expect(ours.length).toBeGreaterThan(700);
    expect(ours).toEqual(theirs);
  });
});
