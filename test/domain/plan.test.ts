import { describe, expect, it } from "vitest";
import { diffPlans, taskCoverage, type PlanTask } from "../../src/domain/plan";

describe("plan rules (pure)", () => {
  const task = (code: string, over: Partial<PlanTask> = {}): PlanTask => ({
    code,
    name: code,
    itemCode: "I",
    startDate: "2026-01-01",
    endDate: "2026-12-01",
    ratioLowBp: null,
    ratioMidBp: null,
    ratioHighBp: null,
    inspectorsPerTarget: 2,
    jointUnits: "",
    ...over,
  });

  it("diffs versions by 任务编号: added, removed, changed fields", () => {
    expect(
      diffPlans([task("A"), task("B")], [task("B", { endDate: "2026-11-01", ratioHighBp: 3000 }), task("C")]),
    ).toEqual({
      added: ["C"],
      removed: ["A"],
      changed: [
        {
          code: "B",
          fields: [
            { field: "endDate", label: "结束日期", before: "2026-12-01", after: "2026-11-01" },
            { field: "ratioHighBp", label: "高风险比例", before: null, after: 3000 },
          ],
        },
      ],
    });
  });

  it("counts a task as the draw would, against the 3% floor", () => {
    expect(taskCoverage({ 中: 120 }, 100, task("A"))).toEqual({
      poolSize: 120,
      expected: 2,
      coverageBp: 167,
      belowFloor: true,
    });
    expect(taskCoverage({ 中: 100 }, 300, task("A"))).toMatchObject({ expected: 3, belowFloor: false }); // exactly 3% is enough
    expect(taskCoverage({ 低: 10, 中: 10, 高: 10 }, 100, task("A"))).toMatchObject({ expected: 3, belowFloor: false }); // at least 1 per level
    expect(taskCoverage({ 低: 200 }, 500, task("A", { ratioLowBp: 100 }))).toMatchObject({
      expected: 2,
      belowFloor: true,
    }); // the plan's ratio wins
    expect(taskCoverage({}, 500, task("A"))).toMatchObject({ poolSize: 0, belowFloor: false });
  });
});
