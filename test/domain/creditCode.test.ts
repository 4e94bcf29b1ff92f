import { describe, expect, it } from "vitest";
import { creditCodeCheckChar, creditCodeProblem, withCheckChar } from "../../src/domain/creditCode";

describe("统一社会信用代码 (GB 32100-2015)", () => {
  it("accepts published real-world codes", () => {
    // the example published with the standard's explanations (a letter inside, check char 3)
    expect(creditCodeProblem("91350100M000100Y43")).toBeNull();
  });

  it("names the problem: length, alphabet, check character", () => {
    expect(creditCodeProblem("9133")).toMatch(/18位/);
    expect(creditCodeProblem("91350100M000100YI3")).toMatch(/非法字符「I」/);
    expect(creditCodeProblem("91350100M000100Y44")).toMatch(/校验位错误（应为 3）/);
  });

  it("computes check characters that validate", () => {
    for (const body of ["91330122MA2000001", "12100000400000624", "52110000500021676"]) {
      const code = withCheckChar(body);
      expect(creditCodeProblem(code)).toBeNull();
      expect(creditCodeCheckChar(body)).toBe(code[17]);
    }
  });
});
