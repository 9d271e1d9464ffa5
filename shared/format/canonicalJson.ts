/**
 * Canonical JSON: object keys sorted (UTF-16 code unit order) at every depth, 2-space indent, trailing newline.
 * The same data always gives the same bytes, so `.nbrick` files diff cleanly in git; it matches `jq -S .`.
 */
export function canonicalJson(value: unknown): string {
  return `${JSON.stringify(sortKeysDeep(value), null, 2)}\n`;
}

function sortKeysDeep(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeysDeep);
  if (value !== null && typeof value === 'object') {
    // A null-prototype object so that a (refused elsewhere, but still) `__proto__` key stays a plain key.
    const sorted: Record<string, unknown> = Object.create(null) as Record<string, unknown>;
    for (const key of Object.keys(value).sort()) {
      sorted[key] = sortKeysDeep((value as Record<string, unknown>)[key]);
    }
    return sorted;
  }
  return value;
}
