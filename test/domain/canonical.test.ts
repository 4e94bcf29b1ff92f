import { execFileSync } from "node:child_process";
import { describe, expect, it } from "vitest";
import { canonicalJson, compareCodePoints } from "../../src/domain/canonical";

const python = (value: unknown): string =>
  execFileSync(
    "python3",
    [
      "-c",
      "import json,sys; sys.stdout.write(json.dumps(json.loads(sys.stdin.read()), sort_keys=True, separators=(',',':'), ensure_ascii=False))",
    ],
    {
      input: JSON.stringify(value),
      encoding: "utf8",
    },
  );

describe("canonical JSON", () => {
  const samples: unknown[] = [
    {
      b: 1,
      a: [true, false, null],
      中: "低",
      "😊": "x",
      "\uffff": 1,
      z: { y: 'quote" back\\slash \n tab\t ctl\u0001' },
    },
    { pool: { targets: [{ stratum: "高", id: "91330122MA20000027" }], inspectors: [] }, n: -42 },
    ["a", [], {}, "", "é"],
  ];
  for (const [k, v] of samples.entries()) {
    it(`equals Python json.dumps(sort_keys, compact, ensure_ascii=False) — sample ${k + 1}`, () => {
      expect(canonicalJson(v)).toBe(python(v));
    });
  }

  it("refuses floats and other values that would hash differently across languages", () => {
    expect(() => canonicalJson({ ratio: 0.05 })).toThrow(/safe integer/);
    expect(() => canonicalJson(2 ** 60)).toThrow(/safe integer/);
    expect(() => canonicalJson({ f: () => 1 })).toThrow(/unsupported/);
  });

  it("orders by code point, unlike UTF-16 sort, when a non-BMP char meets U+E000..U+FFFF", () => {
    const a = "\u{1F60A}"; // surrogate pair D83D DE0A
    const b = "\uFF01";
    expect([a, b].sort()).toEqual([a, b]); // UTF-16 order puts the emoji first
    expect([a, b].sort(compareCodePoints)).toEqual([b, a]); // code points: U+FF01 < U+1F60A
  });
});

describe("canonical JSON edge cases", () => {
  it("orders integer-like keys as strings (Python) although JS objects put them first", () => {
    const v = { b: 1, "10": 2, "9": 3, a: { "2": true, "1": false } };
    expect(canonicalJson(v)).toBe('{"10":2,"9":3,"a":{"1":false,"2":true},"b":1}');
    expect(canonicalJson(v)).toBe(python(v));
  });

  it("drops undefined object members like JSON.stringify, and refuses undefined in arrays", () => {
    expect(canonicalJson({ b: 1, a: undefined })).toBe('{"b":1}');
    expect(() => canonicalJson([1, undefined])).toThrow(/undefined/);
  });

  it("returns the same bytes for an object whatever its key insertion order", () => {
    expect(canonicalJson({ z: [{ y: 1, x: 2 }], a: 0 })).toBe(canonicalJson({ a: 0, z: [{ x: 2, y: 1 }] }));
  });
});
