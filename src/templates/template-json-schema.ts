import { z } from 'zod';
import type { Template } from '../composition/index.js';
import type { JsonSchemaNode } from './text-props.js';

/** Converting a schema costs more than the rest of a mint or a profile mapping: once per template. */
const cache = new WeakMap<Template, JsonSchemaNode>();

/**
 * The props JSON Schema of a template (input side: fields with defaults are
 * optional), computed once per template. Text coercion (text-props.ts) reads
 * its types: one schema for the registry, mint queries and profile mapping.
 */
export function templateJsonSchema(template: Template): JsonSchemaNode {
  let schema = cache.get(template);
  if (!schema) {
    schema = z.toJSONSchema(template.schema, { io: 'input', unrepresentable: 'any' }) as JsonSchemaNode;
    cache.set(template, schema);
  }
  return schema;
}
