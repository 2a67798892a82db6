/**
 * JSON with object keys sorted at every depth, so two equal props objects
 * always serialise (and so hash) the same way whatever their key order.
 * `undefined` fields are dropped, as JSON.stringify does.
 */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(sortKeys(value));
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value && typeof value === 'object' && !(value instanceof Date)) {
    // One plain loop, no entry arrays: this runs twice per recipient row in a fan-out.
    // A null prototype keeps a "__proto__" key a plain property, as Object.fromEntries did.
    const source = value as Record<string, unknown>;
    const sorted: Record<string, unknown> = Object.create(null);
    for (const key of Object.keys(source).sort()) {
      const v = source[key];
      if (v !== undefined) sorted[key] = sortKeys(v);
    }
    return sorted;
  }
  return value;
}
