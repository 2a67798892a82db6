import { RECIPIENT_ID_PATTERN } from '../recipients/index.js';

/** A JSON Schema node, as far as row coercion reads it. */
export interface JsonSchemaNode {
  type?: string | string[];
  properties?: Record<string, JsonSchemaNode>;
  required?: string[];
  anyOf?: JsonSchemaNode[];
  oneOf?: JsonSchemaNode[];
}

/** One failing field of a row: its path and a fixed message, never its value (personal data). */
export interface RowIssue {
  path: string;
  message: string;
}

export type ParsedRow =
  | { ok: true; recipientId: string; props: Record<string, unknown> }
  | { ok: false; issues: RowIssue[] };

/** The one recipient id rule (src/recipients): campaign rows and profiles share it. */
export { RECIPIENT_ID_PATTERN };

const NUMBER = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;
const FORBIDDEN_SEGMENTS = new Set(['__proto__', 'constructor', 'prototype']);

/**
 * Turns one recipients row (a CSV record of strings, or a JSON Lines object)
 * into a recipient id and props. CSV cells are coerced with the template's
 * JSON Schema types (`points` "12" becomes 12, `name` "007" stays "007");
 * dotted columns (`cta.label`) build nested objects. A required field that is
 * missing or empty is an issue here: the registry fills absent fields from the
 * template's preview defaults, and a campaign must never greet a recipient
 * with the preview's name. The template schema itself runs later, when the
 * render key is computed.
 */
export function createRowParser(schema: JsonSchemaNode, options: { fromText: boolean }) {
  // Column plans are computed once per column name, not once per row: fan-out runs this 100k times a file.
  const plans = new Map<string, ColumnPlan>();
  const planOf = (column: string, nested: boolean): ColumnPlan => {
    const cacheKey = nested ? `p:${column}` : column;
    let plan = plans.get(cacheKey);
    if (!plan) {
      const path = options.fromText ? column.split('.') : [column];
      const skip = !nested && (column === 'recipientId' || (column === 'id' && !schema.properties?.id));
      const bad = path.some((segment) => segment === '' || FORBIDDEN_SEGMENTS.has(segment));
      plan = { path, skip, bad, types: typesOf(schemaAt(schema, path)) };
      plans.set(cacheKey, plan);
    }
    return plan;
  };

  return (row: Record<string, unknown>): ParsedRow => {
    const issues: RowIssue[] = [];
    const rawId = present(row.recipientId) || schema.properties?.id ? row.recipientId : row.id;
    let recipientId = '';
    if (!present(rawId)) issues.push({ path: 'recipientId', message: 'required' });
    else if (typeof rawId !== 'string' && typeof rawId !== 'number') issues.push({ path: 'recipientId', message: 'expected a string' });
    else if (!RECIPIENT_ID_PATTERN.test(String(rawId).trim())) {
      issues.push({ path: 'recipientId', message: 'must be 1-64 characters of A-Z, a-z, 0-9, _ or -' });
    } else recipientId = String(rawId).trim();

    const nested = !options.fromText && isObject(row.props) && !schema.properties?.props;
    const source = nested ? (row.props as Record<string, unknown>) : row;
    const props: Record<string, unknown> = {};
    for (const column in source) {
      const value = source[column];
      if (!present(value)) continue;
      const plan = planOf(column, nested);
      if (plan.skip) continue;
      if (plan.bad) {
        issues.push({ path: column, message: 'invalid column name' });
        continue;
      }
      const coerced = options.fromText && typeof value === 'string' ? coerce(value, plan.types) : value;
      if (plan.path.length === 1) props[column] = coerced;
      else setPath(props, plan.path, coerced);
    }
    checkRequired(schema, props, '', issues);
    return issues.length > 0 ? { ok: false, issues } : { ok: true, recipientId, props };
  };
}

interface ColumnPlan {
  path: string[];
  /** The recipient id column: not a prop. */
  skip: boolean;
  /** An empty or prototype-polluting path segment. */
  bad: boolean;
  /** JSON Schema types accepted at the path (empty: unknown column, kept as is). */
  types: string[];
}

function present(value: unknown): boolean {
  return value !== undefined && value !== null && !(typeof value === 'string' && value.trim() === '');
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function typesOf(node: JsonSchemaNode | undefined): string[] {
  if (!node) return [];
  const own = node.type === undefined ? [] : Array.isArray(node.type) ? node.type : [node.type];
  return [...own, ...[...(node.anyOf ?? []), ...(node.oneOf ?? [])].flatMap(typesOf)];
}

function schemaAt(schema: JsonSchemaNode, path: string[]): JsonSchemaNode | undefined {
  let node: JsonSchemaNode | undefined = schema;
  for (const key of path) {
    node = node?.properties?.[key] ?? [...(node?.anyOf ?? []), ...(node?.oneOf ?? [])].map((s) => s.properties?.[key]).find(Boolean);
  }
  return node;
}

/** Text to the first type the schema accepts; left as text when it does not parse, so the schema reports the field. */
function coerce(raw: string, types: string[]): unknown {
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

function setPath(target: Record<string, unknown>, path: string[], value: unknown): void {
  let node = target;
  for (const key of path.slice(0, -1)) {
    if (!isObject(node[key])) node[key] = {};
    node = node[key] as Record<string, unknown>;
  }
  node[path[path.length - 1]!] = value;
}

function checkRequired(schema: JsonSchemaNode, value: Record<string, unknown>, prefix: string, issues: RowIssue[]): void {
  for (const name of schema.required ?? []) {
    const path = prefix ? `${prefix}.${name}` : name;
    const child = value[name];
    const node = schema.properties?.[name];
    // A missing object is reported by its missing leaves: `cta.label` is the column to fill in.
    if (!present(child) && !node?.required?.length) issues.push({ path, message: 'required' });
    else if (node && (isObject(child) || !present(child))) checkRequired(node, isObject(child) ? child : {}, path, issues);
  }
}
