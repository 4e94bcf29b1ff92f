import { compareCodePoints, sha256Hex } from "./canonical";

/**
 * Rivest's consistent sampler (github.com/ron-rivest/consistent_sampler), first tickets only:
 * sampling without replacement needs nothing else.
 */

/** SHA-256 as a decimal integer, left-padded to at least 64 digits, digits reversed, prefixed "0.". */
export function sha256Uniform(input: string): string {
  return reversedDecimal(sha256Hex(input));
}

/**
 * "0." + the decimal digits of a 256-bit integer (hex), padded to 64, in reverse order.
 * (V8's BigInt formatting beat a hand-written limb division here; the reversal goes through a
 * byte buffer so the result is a flat string — one built by `+=` is a rope, slow to compare.)
 */
export function reversedDecimal(hex: string): string {
  const decimal = BigInt(`0x${hex}`).toString(10).padStart(64, "0");
  const n = decimal.length;
  const out = Buffer.allocUnsafe(n + 2);
  out[0] = 0x30; // "0"
  out[1] = 0x2e; // "."
  for (let i = 0; i < n; i++) out[i + 2] = decimal.charCodeAt(n - 1 - i);
  return out.toString("latin1");
}

/** `first_fraction(id, seed)`. */
export function firstFraction(id: string, seed: string): string {
  return sha256Uniform(sha256Hex(seed) + id);
}

export interface Ticketed {
  id: string;
  ticket: string;
}

/** Python orders Ticket tuples by (ticket string, id): plain string comparison on both. */
function compareTickets(a: Ticketed, b: Ticketed): number {
  if (a.ticket !== b.ticket) return a.ticket < b.ticket ? -1 : 1;
  return compareCodePoints(a.id, b.id);
}

interface Ranked {
  id: string;
  hex: string; // the SHA-256 (hex output is ~2.5× faster to get from node:crypto than a Buffer)
  prefix: number; // the ticket's first 10 digits, as a number
  ticket?: string;
}

/**
 * The ticket's first 10 digits after "0." — the number's last 10 decimal digits, reversed — computed
 * from the digest with small integers (value mod 10^10 by Horner over 16-bit limbs; every
 * intermediate stays below 2^53). Ordering needs only this, so BigInt runs only on ties and on the
 * tickets that are published.
 */
const nibble = (code: number) => (code <= 57 ? code - 48 : code - 87); // "0"-"9", "a"-"f"

function ticketPrefix(hex: string): number {
  let r = 0;
  for (let k = 0; k < 64; k += 4) {
    const limb =
      (nibble(hex.charCodeAt(k)) << 12) |
      (nibble(hex.charCodeAt(k + 1)) << 8) |
      (nibble(hex.charCodeAt(k + 2)) << 4) |
      nibble(hex.charCodeAt(k + 3));
    r = (r * 65536 + limb) % 1e10;
  }
  let out = 0;
  for (let d = 0; d < 10; d++) {
    out = out * 10 + (r % 10);
    r = Math.floor(r / 10);
  }
  return out;
}

const fullTicket = (r: Ranked): string => (r.ticket ??= reversedDecimal(r.hex));

function rank(ids: readonly string[], seed: string): Ranked[] {
  const seedHex = sha256Hex(seed); // hashed once, not per id
  const ranked = ids.map((id) => {
    const hex = sha256Hex(seedHex + id);
    return { id, hex, prefix: ticketPrefix(hex) } as Ranked;
  });
  // Same order as comparing the full ticket strings (all have ≥ 64 digits), then ids.
  return ranked.sort(
    (a, b) =>
      a.prefix - b.prefix || compareTickets({ id: a.id, ticket: fullTicket(a) }, { id: b.id, ticket: fullTicket(b) }),
  );
}

/** Every id with its ticket, in sampling order — the same order `sampler(ids, seed, ...)` yields. */
export function ticketOrder(ids: readonly string[], seed: string): Ticketed[] {
  return rank(ids, seed).map((r) => ({ id: r.id, ticket: fullTicket(r) }));
}

/** The first `take` ids with their tickets, and the rest (ids only) in the same order. */
export function drawOrder(
  ids: readonly string[],
  seed: string,
  take: number,
): { selected: Ticketed[]; rest: string[] } {
  const ranked = rank(ids, seed);
  return {
    selected: ranked.slice(0, take).map((r) => ({ id: r.id, ticket: fullTicket(r) })),
    rest: ranked.slice(take).map((r) => r.id),
  };
}

/** `sampler(ids, seed=seed, take=n, with_replacement=False, output='id')`. */
export function sample(ids: readonly string[], seed: string, take: number): string[] {
  return ticketOrder(ids, seed)
    .slice(0, take)
    .map((t) => t.id);
}
