import { describe, expect, it } from "vitest";
import { sha256Hex } from "../../src/domain/canonical";
import { firstFraction, reversedDecimal, sample, sha256Uniform, ticketOrder } from "../../src/domain/sampler";
import vectors from "../vectors/sampler-v1.json";

describe("Rivest consistent sampler", () => {
  it("reproduces the published doctest anchors", () => {
    expect(sha256Hex("abc")).toBe(vectors.anchors["sha256_hex(abc)"]);
    expect(sha256Uniform("abc")).toBe(vectors.anchors["sha256_uniform(abc)"]);
    expect(firstFraction("AB-130", "01382438112797316654")).toBe(
      vectors.anchors["first_fraction(AB-130,01382438112797316654)"],
    );
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
    const digits = BigInt(`0x${sha256Hex("x")}`)
      .toString(10)
      .padStart(64, "0");
    expect(t.slice(2)).toBe([...digits].reverse().join(""));
  });
});

describe("sha256Uniform without BigInt", () => {
  it("equals the BigInt formulation on many inputs, including short decimals", async () => {
    const { createHash } = await import("node:crypto");
    const viaBigInt = (x: string) =>
      `0.${[
        ...BigInt(`0x${createHash("sha256").update(x).digest("hex")}`)
          .toString(10)
          .padStart(64, "0"),
      ]
        .reverse()
        .join("")}`;
    for (let k = 0; k < 20000; k++) {
      const x = `${k}-企业-${k * 7919}`;
      expect(sha256Uniform(x)).toBe(viaBigInt(x));
    }
  });
});

describe("reversedDecimal edge values", () => {
  const asHex = (n: bigint) => n.toString(16).padStart(64, "0");
  const expected = (n: bigint) => `0.${[...n.toString(10).padStart(64, "0")].reverse().join("")}`;
  for (const n of [
    0n,
    1n,
    9n,
    10n ** 9n,
    10n ** 9n - 1n,
    10n ** 18n + 7n,
    10n ** 63n - 1n,
    10n ** 63n,
    10n ** 64n,
    10n ** 64n + 1n,
    2n ** 256n - 1n,
    2n ** 255n,
  ]) {
    it(`${n}`, () => {
      expect(reversedDecimal(asHex(n))).toBe(expected(n));
    });
  }
});

describe("ordering by ticket prefix", () => {
  it("orders exactly like full ticket strings, ties included (10,000 ids, many shared prefixes)", () => {
    const ids = Array.from({ length: 10000 }, (_, k) => `id-${k}`);
    const fast = ticketOrder(ids, "prefix-seed");
    const slow = ids
      .map((id) => ({ id, ticket: firstFraction(id, "prefix-seed") }))
      .sort((a, b) => (a.ticket < b.ticket ? -1 : a.ticket > b.ticket ? 1 : a.id < b.id ? -1 : 1));
    expect(fast).toEqual(slow);
  });

  it("drawOrder publishes tickets for the selected and ids for the rest", async () => {
    const { drawOrder } = await import("../../src/domain/sampler.js");
    const ids = ["A-1", "A-2", "A-3", "B-1", "B-2", "B-3"];
    const { selected, rest } = drawOrder(ids, "314159", 4);
    expect(selected).toEqual(ticketOrder(ids, "314159").slice(0, 4));
    expect(rest).toEqual(["B-1", "A-1"]);
  });
});
