/**
 * Content-addressed cache: canonical JSON, render and deliverable keys, and
 * the Redis output index that records what each key's output is.
 */
export { canonicalJson } from './canonical-json.js';
export { renderKey, deliverableKey, propsHash, isKey, KEY_PATTERN, type RenderKeyInput } from './render-key.js';
export { outputRecordSchema, type OutputRecord } from './output-record.schema.js';
export {
  createOutputIndex,
  type OutputIndex,
  type OutputIndexOptions,
  type OutputRecordPatch,
} from './output-index.js';
