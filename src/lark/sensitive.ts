/**
 * Card parts that Feishu's data-leak review may refuse (230028), e.g. a mobile number. Cards mark
 * them with an `element_id` starting with this prefix; on 230028 the outbox resends the card
 * without them instead of failing (the number stays reachable through the card's button/toast).
 */
const SENSITIVE_PREFIX = "sensitive";

/** The card JSON (as sent) without its sensitive elements; null when it has none (nothing to retry with). */
export function withoutSensitive(content: string): string | null {
  let card: unknown;
  try {
    card = JSON.parse(content);
  } catch {
    return null;
  }
  let removed = 0;
  const strip = (node: unknown): unknown => {
    if (Array.isArray(node)) {
      return node
        .filter((e) => {
          const id = (e as { element_id?: unknown } | null)?.element_id;
          const drop = typeof id === "string" && id.startsWith(SENSITIVE_PREFIX);
          if (drop) removed++;
          return !drop;
        })
        .map(strip);
    }
    if (node && typeof node === "object")
      return Object.fromEntries(Object.entries(node).map(([k, v]) => [k, strip(v)]));
    return node;
  };
  const out = strip(card);
  return removed > 0 ? JSON.stringify(out) : null;
}
