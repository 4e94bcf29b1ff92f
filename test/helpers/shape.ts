/**
 * The shape of a JSON value: its key paths with their JSON types ("header.event_id: string"),
 * arrays by their first element. Two payloads with the same shape differ only in values.
 */
export function shapeOf(value: unknown, path = "$"): string[] {
  if (Array.isArray(value)) return [`${path}: array`, ...(value.length ? shapeOf(value[0], `${path}[]`) : [])];
  if (value !== null && typeof value === "object")
    return [
      `${path}: object`,
      ...Object.keys(value)
        .sort()
        .flatMap((k) => shapeOf((value as Record<string, unknown>)[k], `${path}.${k}`)),
    ];
  return [`${path}: ${value === null ? "null" : typeof value}`];
}

/** The key paths (with types) of `expected` that `actual` lacks or holds with another type. */
export const missingShape = (actual: unknown, expected: unknown): string[] => {
  const have = new Set(shapeOf(actual));
  return shapeOf(expected).filter((line) => !have.has(line));
};
