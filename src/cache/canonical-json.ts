/**
 * JSON with object keys sorted at every depth, so two equal props objects
 * always serialise (and so hash) the same way whatever their key order.
 * `undefined` fields are dropped, as JSON.stringify does.
 */
export function canonicalJson(value: unknown): string {
  // Fan-out runs this for every recipient row: props of plain objects, arrays and primitives are
  // written directly (no sorted copy, which V8 keeps as a slow dictionary object); anything else
  // (a Date, a class instance, an undefined array item, a key like "10"...) takes the general path. Both give the same bytes.
  return writePlain(value) ?? JSON.stringify(sortKeys(value));
}

/** The canonical JSON of `value` when it holds only plain objects, arrays, strings, numbers, booleans and null; else undefined. */
function writePlain(value: unknown): string | undefined {
  switch (typeof value) {
    case 'string':
    case 'number':
      return JSON.stringify(value);
    case 'boolean':
      return value ? 'true' : 'false';
    case 'object':
      break;
    default:
      return undefined;
  }
  if (value === null) return 'null';
  if (Array.isArray(value)) {
    let out = '[';
    for (let i = 0; i < value.length; i++) {
      const item = writePlain(value[i]);
      if (item === undefined) return undefined;
      out += i === 0 ? item : `,${item}`;
    }
    return `${out}]`;
  }
  const proto = Object.getPrototypeOf(value);
  if (proto !== Object.prototype && proto !== null) return undefined;
  const source = value as Record<string, unknown>;
  const keys = Object.keys(source);
  const flat = writeFlat(source, keys);
  if (flat !== undefined) return flat;
  let out = '{';
  for (const key of keys.sort()) {
    // An index-like key ("2", "10") is enumerated first, in numeric order, by the sorted copy of the general path: leave those to it.
    const c = key.charCodeAt(0);
    if (c >= 48 && c <= 57) return undefined;
    const v = source[key];
    if (v === undefined) continue;
    const item = writePlain(v);
    if (item === undefined) return undefined;
    out += `${out.length === 1 ? '' : ','}${JSON.stringify(key)}:${item}`;
  }
  return `${out}}`;
}

/** The keys of the last flat object written, as Object.keys gave them, and sorted: a campaign's rows all have the same. */
let lastKeys: readonly string[] = [];
let lastSorted: string[] = [];

/**
 * A flat object (every value a string, number, boolean, null or undefined)
 * in one native JSON.stringify: with the sorted keys as its replacer list it
 * writes them in that order and drops undefined values, the same bytes as
 * the loop in writePlain, without its string per key and value. Undefined
 * for anything else, and for index-like keys (see writePlain).
 */
function writeFlat(source: Record<string, unknown>, keys: string[]): string | undefined {
  for (const key of keys) {
    const v = source[key];
    const type = typeof v;
    if (v !== null && type !== 'string' && type !== 'number' && type !== 'boolean' && type !== 'undefined') return undefined;
  }
  let same = keys.length === lastKeys.length;
  for (let i = 0; same && i < keys.length; i++) same = keys[i] === lastKeys[i];
  if (!same) {
    for (const key of keys) {
      const c = key.charCodeAt(0);
      if (c >= 48 && c <= 57) return undefined;
    }
    lastKeys = keys;
    lastSorted = [...keys].sort();
  }
  return JSON.stringify(source, lastSorted);
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value && typeof value === 'object' && !(value instanceof Date)) {
    // One plain loop, no entry arrays.
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
