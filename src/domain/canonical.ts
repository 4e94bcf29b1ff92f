import { hash } from "node:crypto";

/**
 * Canonical JSON exactly as Python's
 * `json.dumps(x, sort_keys=True, separators=(',',':'), ensure_ascii=False)`:
 * keys sorted by Unicode code point, no whitespace, non-ASCII kept as is.
 * Only strings, safe integers, booleans, null, arrays and plain objects are allowed —
 * a float would hash differently across languages, so it is rejected.
 *
 * For this subset JSON.stringify writes the same bytes as Python once keys are in order, and it is
 * ten times faster than assembling strings in JavaScript (pools have 100,000 targets), so: validate
 * and order keys in one walk, then let JSON.stringify write.
 */
export function canonicalJson(value: unknown): string {
  try {
    return JSON.stringify(ordered(value));
  } catch (e) {
    if (e !== INDEX_KEY) throw e;
    return writeSlow(value); // an integer-like key, which JS objects would move to the front
  }
}

const INDEX_KEY = new Error("integer-like key");
const isIndexKey = (k: string) => /^(0|[1-9]\d{0,9})$/.test(k) && Number(k) < 4294967295;

/** The value itself when already canonical (keys in order), else a copy with sorted keys; throws on non-JSON values. */
function ordered(value: unknown): unknown {
  if (value === null) return value;
  switch (typeof value) {
    case "string":
    case "boolean":
      return value;
    case "number":
      if (!Number.isSafeInteger(value)) throw new TypeError(`canonicalJson: not a safe integer: ${value}`);
      return value;
    case "object": {
      if (Array.isArray(value)) {
        let copy: unknown[] | null = null;
        for (let i = 0; i < value.length; i++) {
          if (value[i] === undefined) throw new TypeError("canonicalJson: undefined in an array");
          const v = ordered(value[i]);
          if (v !== value[i]) (copy ??= value.slice())[i] = v;
        }
        return copy ?? value;
      }
      const obj = value as Record<string, unknown>;
      const keys = Object.keys(obj);
      let reuse = true;
      for (let i = 0; i < keys.length; i++) {
        if (isIndexKey(keys[i]!)) throw INDEX_KEY;
        if (i > 0 && compareCodePoints(keys[i - 1]!, keys[i]!) > 0) reuse = false;
      }
      const out: Record<string, unknown> = {};
      for (const k of reuse ? keys : [...keys].sort(compareCodePoints)) {
        const before = obj[k];
        if (before === undefined) {
          reuse = false; // like JSON.stringify: absent, not null
          continue;
        }
        const v = ordered(before);
        if (v !== before) reuse = false;
        out[k] = v;
      }
      return reuse ? obj : out;
    }
    default:
      throw new TypeError(`canonicalJson: unsupported type ${typeof value}`);
  }
}

/** The explicit writer, for objects with integer-like keys. */
function writeSlow(value: unknown): string {
  if (value === null || typeof value !== "object") return JSON.stringify(ordered(value));
  if (Array.isArray(value)) return `[${value.map(writeSlow).join(",")}]`;
  const obj = value as Record<string, unknown>;
  const keys = Object.keys(obj)
    .filter((k) => obj[k] !== undefined)
    .sort(compareCodePoints);
  return `{${keys.map((k) => `${JSON.stringify(k)}:${writeSlow(obj[k])}`).join(",")}}`;
}

/** Order strings by Unicode code point (Python's str order), not by UTF-16 code unit. */
export function compareCodePoints(a: string, b: string): number {
  if (a === b) return 0;
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x === y) continue;
    // Only when a surrogate meets a BMP char above the surrogate block do the two orders differ.
    const xs = x >= 0xd800 && x <= 0xdfff;
    const ys = y >= 0xd800 && y <= 0xdfff;
    if (xs !== ys) return xs ? 1 : -1;
    return x - y;
  }
  return a.length - b.length;
}

/** SHA-256 of the UTF-8 bytes of a string, lowercase hex. */
export function sha256Hex(text: string): string {
  return hash("sha256", text, "hex");
}
