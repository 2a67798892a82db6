import type { PropsIssue } from './validate-props.js';

/**
 * Props written as text fields (a CSV row, a query string, `--prop k=v`):
 * dotted names build nested objects (`cta.label`), and each value is read
 * as the type the template's JSON Schema wants at its path (`points` "12"
 * becomes 12, `name` "007" stays "007"). One implementation for every text
 * source, so a campaign column and a send-time query parameter mean the same.
 */

/** A JSON Schema node, as far as text coercion reads it. */
export interface JsonSchemaNode {
  type?: string | string[];
  properties?: Record<string, JsonSchemaNode>;
  required?: string[];
  anyOf?: JsonSchemaNode[];
  oneOf?: JsonSchemaNode[];
}

const NUMBER = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;
/** Path segments that would write onto Object.prototype. */
export const FORBIDDEN_PROP_SEGMENTS: ReadonlySet<string> = new Set(['__proto__', 'constructor', 'prototype']);

/** Not undefined, null or blank text. */
export function isPresent(value: unknown): boolean {
  return value !== undefined && value !== null && !(typeof value === 'string' && value.trim() === '');
}

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** JSON Schema types accepted at a node (its own, its anyOf/oneOf branches'); empty: unknown. */
export function typesOf(node: JsonSchemaNode | undefined): string[] {
  if (!node) return [];
  const own = node.type === undefined ? [] : Array.isArray(node.type) ? node.type : [node.type];
  return [...own, ...[...(node.anyOf ?? []), ...(node.oneOf ?? [])].flatMap(typesOf)];
}

/** The schema node at a path of property names, looking through anyOf/oneOf. */
export function schemaAt(schema: JsonSchemaNode | undefined, path: readonly string[]): JsonSchemaNode | undefined {
  let node: JsonSchemaNode | undefined = schema;
  for (const key of path) {
    node = node?.properties?.[key] ?? [...(node?.anyOf ?? []), ...(node?.oneOf ?? [])].map((s) => s.properties?.[key]).find(Boolean);
  }
  return node;
}

/** Text to the first type the schema accepts; left as text when it does not parse, so the schema reports the field. */
export function coerceText(raw: string, types: readonly string[]): unknown {
  const text = raw.trim(); // CSV cells often carry a space after the comma.
  if (types.length === 0 || types.includes('string')) return text;
  if ((types.includes('integer') || types.includes('number')) && NUMBER.test(text)) return Number(text);
  if (types.includes('boolean')) {
    const lower = text.toLowerCase();
    if (lower === 'true' || lower === '1' || lower === 'yes') return true;
    if (lower === 'false' || lower === '0' || lower === 'no') return false;
  }
  if ((types.includes('object') || types.includes('array')) && /^[[{]/.test(text)) {
    try {
      return JSON.parse(text) as unknown;
    } catch {
      return raw;
    }
  }
  return raw;
}

/** Sets `value` at a path, creating objects on the way. Callers refuse FORBIDDEN_PROP_SEGMENTS first. */
export function setPropPath(target: Record<string, unknown>, path: readonly string[], value: unknown): void {
  let node = target;
  for (const key of path.slice(0, -1)) {
    if (!isPlainObject(node[key])) node[key] = {};
    node = node[key] as Record<string, unknown>;
  }
  node[path[path.length - 1]!] = value;
}

/**
 * Reports required fields that are missing or blank. Text sources need this
 * before the template schema runs: the registry fills absent fields from the
 * template's preview defaults, and a recipient must never be greeted with
 * the preview's name.
 */
export function checkRequiredProps(schema: JsonSchemaNode, value: Record<string, unknown>, prefix: string, issues: PropsIssue[]): void {
  for (const name of schema.required ?? []) {
    const path = prefix ? `${prefix}.${name}` : name;
    const child = value[name];
    const node = schema.properties?.[name];
    // A missing object is reported by its missing leaves: `cta.label` is the field to fill in.
    if (!isPresent(child) && !node?.required?.length) issues.push({ path, message: 'required' });
    else if (node && (isPlainObject(child) || !isPresent(child))) checkRequiredProps(node, isPlainObject(child) ? child : {}, path, issues);
  }
}

/**
 * Props from named text fields: coerced by the schema, dotted names nested,
 * blank values left out, required fields checked. Issues name the field,
 * never its value (personal data).
 */
export function propsFromText(
  schema: JsonSchemaNode,
  fields: Iterable<readonly [string, string]>,
): { ok: true; props: Record<string, unknown> } | { ok: false; issues: PropsIssue[] } {
  const props: Record<string, unknown> = {};
  const issues: PropsIssue[] = [];
  for (const [name, value] of fields) {
    if (!isPresent(value)) continue;
    const path = name.split('.');
    if (path.some((segment) => segment === '' || FORBIDDEN_PROP_SEGMENTS.has(segment))) {
      issues.push({ path: name, message: 'invalid field name' });
      continue;
    }
    setPropPath(props, path, coerceText(value, typesOf(schemaAt(schema, path))));
  }
  checkRequiredProps(schema, props, '', issues);
  return issues.length > 0 ? { ok: false, issues } : { ok: true, props };
}
