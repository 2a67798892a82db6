import type { z } from 'zod';
import type { Template } from '../composition/index.js';
import { AppError } from '../errors/index.js';
import { coerceText, schemaAt, templateJsonSchema, typesOf, validateProps } from '../templates/index.js';
import { isJsonObject } from './merge-patch.js';

/**
 * A template's props from a recipient profile, through the template's
 * `profileMapping`: each mapped prop reads its dotted path, or takes its
 * default. A mapped prop with neither is an error that lists every missing
 * field (paths and props, never values): a real recipient is never rendered
 * with preview data. Props the mapping does not name take the template's
 * defaults; the result is validated against the schema (validateProps).
 *
 * CSV uploads store cells as strings, so a string is read as the type the
 * prop's JSON Schema wants (coerceText, the one text coercion of campaign
 * CSVs, mint queries and `--prop`): `"12"` is 12 for a number prop.
 */
export function propsFromProfile<S extends z.ZodType>(template: Template<S>, fields: Record<string, unknown>): z.output<S> {
  const mapping = template.profileMapping;
  if (!mapping) throw new AppError('INVALID_ARGUMENT', `template "${template.id}" declares no profileMapping`);
  const schema = templateJsonSchema(template);
  const props: Record<string, unknown> = {};
  const missing: { path: string; message: string }[] = [];
  for (const [prop, rule] of Object.entries(mapping)) {
    const value = readPath(fields, rule.path);
    if (value !== undefined && value !== null) props[prop] = typeof value === 'string' ? coerceText(value, typesOf(schemaAt(schema, [prop]))) : value;
    else if (Object.hasOwn(rule, 'default')) props[prop] = rule.default;
    else missing.push({ path: prop, message: `profile field ${rule.path} is missing and has no default` });
  }
  if (missing.length > 0) {
    const list = missing.map((m) => `  - ${m.path}: ${m.message}`).join('\n');
    throw new AppError('INVALID_PROPS', `The profile lacks fields template "${template.id}" needs:\n${list}`, { details: { templateId: template.id, issues: missing } });
  }
  return validateProps(template, props);
}

/** The value at a dotted path of plain objects (own keys only), or undefined. */
function readPath(fields: Record<string, unknown>, path: string): unknown {
  let node: unknown = fields;
  for (const segment of path.split('.')) {
    if (!isJsonObject(node) || !Object.hasOwn(node, segment)) return undefined;
    node = node[segment];
  }
  return node;
}
