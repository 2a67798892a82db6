import { readFile } from 'node:fs/promises';
import { AppError } from '../errors/index.js';
import { coerceText, FORBIDDEN_PROP_SEGMENTS, schemaAt, setPropPath, typesOf, type JsonSchemaNode } from '../templates/index.js';

/**
 * Builds props from `--props file.json` and repeated `--prop key=value`
 * (dotted keys for nested fields). A value is read as the type the schema
 * wants at its path (the coercion campaign CSVs and send-time minting use),
 * so `--prop name=007` stays "007" while `--prop points=12345` is a number.
 */
export async function parseProps(file: string | undefined, pairs: string[], schema: JsonSchemaNode): Promise<Record<string, unknown>> {
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
    const bad = keys.find((key) => FORBIDDEN_PROP_SEGMENTS.has(key));
    if (bad !== undefined) throw new AppError('INVALID_ARGUMENT', `invalid prop key "${bad}"`);
    setPropPath(props, keys, coerceText(pair.slice(eq + 1), typesOf(schemaAt(schema, keys))));
  }
  return props;
}
