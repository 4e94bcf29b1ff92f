import { compareCodePoints, sha256Hex } from "./canonical";

/**
 * Rivest's consistent sampler (github.com/ron-rivest/consistent_sampler), first tickets only:
 * sampling without replacement needs nothing else.
 */

/** SHA-256 as a decimal integer, left-padded to at least 64 digits, digits reversed, prefixed "0.". */
export function sha256Uniform(input: string): string {
  const decimal = BigInt(`0x${sha256Hex(input)}`).toString(10).padStart(64, "0");
  let reversed = "0.";
  for (let i = decimal.length - 1; i >= 0; i--) reversed += decimal[i];
  return reversed;
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
export function compareTickets(a: Ticketed, b: Ticketed): number {
  if (a.ticket !== b.ticket) return a.ticket < b.ticket ? -1 : 1;
  return compareCodePoints(a.id, b.id);
}

/** Every id with its ticket, in sampling order — the same order `sampler(ids, seed, ...)` yields. */
export function ticketOrder(ids: readonly string[], seed: string): Ticketed[] {
  const seedHex = sha256Hex(seed); // hashed once, not per id
  const out = ids.map((id) => ({ id, ticket: sha256Uniform(seedHex + id) }));
  return out.sort(compareTickets);
}

/** `sampler(ids, seed=seed, take=n, with_replacement=False, output='id')`. */
export function sample(ids: readonly string[], seed: string, take: number): string[] {
  return ticketOrder(ids, seed)
    .slice(0, take)
    .map((t) => t.id);
}
