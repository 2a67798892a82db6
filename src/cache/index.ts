/**
 * Content-addressed cache: canonical JSON, render and deliverable keys. The
 * output index that records what each key's output is lives in src/renders.
 */
export { canonicalJson } from './canonical-json.js';
export { renderKey, deliverableKey, propsHash, isKey, sha256Hex, KEY_PATTERN, type RenderKeyInput } from './render-key.js';
