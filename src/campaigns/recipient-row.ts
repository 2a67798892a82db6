import {
  checkRequiredProps,
  coerceText,
  FORBIDDEN_PROP_SEGMENTS,
  isPlainObject,
  isPresent,
  schemaAt,
  setPropPath,
  typesOf,
  type JsonSchemaNode,
} from '../templates/index.js';

export type { JsonSchemaNode };
import { RECIPIENT_ID_PATTERN } from '../recipients/index.js';

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
      const bad = path.some((segment) => segment === '' || FORBIDDEN_PROP_SEGMENTS.has(segment));
      plan = { path, skip, bad, types: typesOf(schemaAt(schema, path)) };
      plans.set(cacheKey, plan);
    }
    return plan;
  };

  return (row: Record<string, unknown>): ParsedRow => {
    const issues: RowIssue[] = [];
    const recipientId = readRecipientId(schema, row, issues);

    const nested = !options.fromText && isPlainObject(row.props) && !schema.properties?.props;
    const source = nested ? (row.props as Record<string, unknown>) : row;
    const props: Record<string, unknown> = {};
    for (const column in source) {
      const value = source[column];
      if (!isPresent(value)) continue;
      const plan = planOf(column, nested);
      if (plan.skip) continue;
      if (plan.bad) {
        issues.push({ path: column, message: 'invalid column name' });
        continue;
      }
      const coerced = options.fromText && typeof value === 'string' ? coerceText(value, plan.types) : value;
      if (plan.path.length === 1) props[column] = coerced;
      else setPropPath(props, plan.path, coerced);
    }
    checkRequiredProps(schema, props, '', issues);
    return issues.length > 0 ? { ok: false, issues } : { ok: true, recipientId, props };
  };
}

/**
 * Rows of a sticky campaign: only the recipient id counts (its profile gives
 * the props when the chunk is keyed); other columns are not read.
 */
export function createStickyRowParser(schema: JsonSchemaNode) {
  return (row: Record<string, unknown>): ParsedRow => {
    const issues: RowIssue[] = [];
    const recipientId = readRecipientId(schema, row, issues);
    return issues.length > 0 ? { ok: false, issues } : { ok: true, recipientId, props: {} };
  };
}

/** The row's recipient id (`recipientId`, or `id` when the template has no `id` prop), or '' with an issue. */
function readRecipientId(schema: JsonSchemaNode, row: Record<string, unknown>, issues: RowIssue[]): string {
  const rawId = isPresent(row.recipientId) || schema.properties?.id ? row.recipientId : row.id;
  if (!isPresent(rawId)) issues.push({ path: 'recipientId', message: 'required' });
  else if (typeof rawId !== 'string' && typeof rawId !== 'number') issues.push({ path: 'recipientId', message: 'expected a string' });
  else if (!RECIPIENT_ID_PATTERN.test(String(rawId).trim())) {
    issues.push({ path: 'recipientId', message: 'must be 1-64 characters of A-Z, a-z, 0-9, _ or -' });
  } else return String(rawId).trim();
  return '';
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
