import { readFile } from 'node:fs/promises';
import { AppError } from '../errors/index.js';

type JsonSchema = { type?: string | string[]; properties?: Record<string, JsonSchema>; anyOf?: JsonSchema[] };

/**
 * Builds props from `--props file.json` and repeated `--prop key=value`
 * (dotted keys for nested fields). A value is kept as text where the schema
 * wants a string, and read as JSON (number, boolean, array) elsewhere, so
 * `--prop name=007` stays "007" while `--prop points=12345` is a number.
 */
export async function parseProps(file: string | undefined, pairs: string[], schema: JsonSchema): Promise<Record<string, unknown>> {
  let props: Record<string, unknown> = {};
  if (file) {
    let text: string;
    try {
      text = await readFile(file, 'utf8');
    } catch (cause) {
      throw new AppError('INVALID_ARGUMENT', `cannot read --props file ${file}: ${(cause as Error).message}`);
    }
    try {
      props = JSON.parse(text) as Record<string, unknown>;
    } catch (cause) {
      throw new AppError('INVALID_ARGUMENT', `--props file ${file} is not valid JSON: ${(cause as Error).message}`);
    }
  }
  for (const pair of pairs) {
    const eq = pair.indexOf('=');
    if (eq <= 0) throw new AppError('INVALID_ARGUMENT', `--prop expects key=value, got "${pair}"`);
    const keys = pair.slice(0, eq).split('.');
    setPath(props, keys, coerce(pair.slice(eq + 1), schemaAt(schema, keys)));
  }
  return props;
}

function schemaAt(schema: JsonSchema | undefined, keys: string[]): JsonSchema | undefined {
  let node = schema;
  for (const key of keys) {
    node = node?.properties?.[key] ?? node?.anyOf?.map((s) => s.properties?.[key]).find(Boolean);
  }
  return node;
}

function coerce(raw: string, schema: JsonSchema | undefined): unknown {
  const types = [schema?.type, ...(schema?.anyOf?.map((s) => s.type) ?? [])].flat().filter(Boolean);
  if (types.includes('string')) return raw;
  try {
    return JSON.parse(raw);
  } catch {
    return raw;
  }
}

function setPath(target: Record<string, unknown>, keys: string[], value: unknown): void {
  let node = target;
  for (const key of keys.slice(0, -1)) {
    if (key === '__proto__' || key === 'constructor') throw new AppError('INVALID_ARGUMENT', `invalid prop key "${key}"`);
    if (typeof node[key] !== 'object' || node[key] === null) node[key] = {};
    node = node[key] as Record<string, unknown>;
  }
  node[keys[keys.length - 1]!] = value;
}
