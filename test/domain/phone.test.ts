import { describe, expect, it } from "vitest";
import { maskPhone } from "../../src/domain/phone";

describe("maskPhone", () => {
  it("hides the middle digits of mobiles and landlines, keeps separators", () => {
    expect(maskPhone("13812345678")).toBe("138****5678");
    expect(maskPhone("0571-81007919")).toBe("057*-****7919");
    expect(maskPhone("8100791")).toBe("81*0791");
    expect(maskPhone("110")).toBe("*10");
    expect(maskPhone("")).toBe("");
    expect(maskPhone("—")).toBe("—");
  });
  it("never shows a full mobile number", () => {
    for (const p of ["13812345678", "+86 138 1234 5678", "0571-88889999"])
      expect(maskPhone(p).replace(/\D/g, "").length).toBeLessThanOrEqual(7);
  });
});
