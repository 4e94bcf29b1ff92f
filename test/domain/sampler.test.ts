import { describe, expect, it } from "vitest";
import { sha256Hex } from "../../src/domain/canonical";
import { firstFraction, sample, sha256Uniform, ticketOrder } from "../../src/domain/sampler";
import vectors from "../vectors/sampler-v1.json";

describe("Rivest consistent sampler", () => {
  it("reproduces the published doctest anchors", () => {
    expect(sha256Hex("abc")).toBe(vectors.anchors["sha256_hex(abc)"]);
    expect(sha256Uniform("abc")).toBe(vectors.anchors["sha256_uniform(abc)"]);
    expect(firstFraction("AB-130", "01382438112797316654")).toBe(vectors.anchors["first_fraction(AB-130,01382438112797316654)"]);
  });

  it("Rivest's README example: take 4 of A-1..B-3 with seed 314159 → B-2, B-3, A-3, A-2", () => {
    expect(sample(["A-1", "A-2", "A-3", "B-1", "B-2", "B-3"], "314159", 4)).toEqual(["B-2", "B-3", "A-3", "A-2"]);
  });

  for (const c of vectors.cases) {
    it(`matches the independent Python implementation: ${c.name}`, () => {
      const got = ticketOrder(c.ids, c.seed).slice(0, c.take);
      expect(got).toEqual(c.expected);
    });
  }

  it("treats seed '0' and '00' as different strings", () => {
    const ids = ["a", "b", "c", "d", "e"];
    expect(ticketOrder(ids, "0")).not.toEqual(ticketOrder(ids, "00"));
  });

  it("pads to at least 64 digits and reverses them", () => {
    const t = sha256Uniform("x");
    expect(t.startsWith("0.")).toBe(true);
    expect(t.length - 2).toBeGreaterThanOrEqual(64);
    const digits = BigInt(`0x${sha256Hex("x")}`).toString(10).padStart(64, "0");
    expect(t.slice(2)).toBe([...digits].reverse().join(""));
  });
});
