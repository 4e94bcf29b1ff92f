const CARD_LIMIT_BYTES = 30 * 1024;

/** Card JSON 2.0 rules the platform enforces: valid JSON, schema 2.0, update_multi true, ≤ 30 KB, ≤ 200 elements. */
export function cardProblem(content: string): { code: number; msg: string } | null {
  if (Buffer.byteLength(content) > CARD_LIMIT_BYTES) return { code: 230025, msg: "card content too long (> 30 KB)" };
  let card: { schema?: string; config?: { update_multi?: boolean }; body?: { elements?: unknown[] } };
  try {
    card = JSON.parse(content) as typeof card;
  } catch {
    return { code: 230099, msg: "Failed to create card content, ext=ErrCode: 200621" };
  }
  if (card.schema !== "2.0") return { code: 230099, msg: "card schema must be 2.0" };
  if (card.config?.update_multi !== true) return { code: 230099, msg: "update_multi must be true" };
  const count = (els: unknown[] | undefined): number =>
    (els ?? []).reduce<number>(
      (n, e) =>
        n +
        1 +
        count((e as { elements?: unknown[]; columns?: unknown[] }).elements ?? (e as { columns?: unknown[] }).columns),
      0,
    );
  if (count(card.body?.elements) > 200)
    return { code: 230099, msg: "Failed to create card content, ext=ErrCode: 11310" };
  return null;
}
