import { describe, expect, it } from "vitest";
import { withoutDrawnThisYear } from "../../src/domain/draw/routine";

const targets = ["A", "B", "C", "D"].map((id) => ({ id, stratum: "中" as const }));

describe("no routine check twice a year (interface.md §7)", () => {
  it("a 一般 item leaves out the targets already drawn this 年度 and counts them", () => {
    const r = withoutDrawnThisYear("一般", targets, new Set(["B", "D", "X"]));
    expect(r.targets.map((t) => t.id)).toEqual(["A", "C"]);
    expect(r.excluded).toBe(2); // X is not in the register's pool: not counted
  });

  it("a 重点 item keeps them", () => {
    expect(withoutDrawnThisYear("重点", targets, new Set(["B"]))).toEqual({ targets, excluded: 0 });
  });

  it("nothing drawn yet: the pool is unchanged", () => {
    expect(withoutDrawnThisYear("一般", targets, new Set())).toEqual({ targets, excluded: 0 });
  });
});
