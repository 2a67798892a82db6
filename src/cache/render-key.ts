import crypto from 'node:crypto';
import { canonicalJson } from './canonical-json.js';

/**
 * sha256 of a string, hex. `crypto.hash` (Node >= 20.12) hashes in one call,
 * without a Hash object per key: fan-out computes two keys per recipient row
 * (and the erasure check a subject hash).
 */
export const sha256Hex: (text: string) => string =
  typeof crypto.hash === 'function' ? (text) => crypto.hash('sha256', text, 'hex') : (text) => crypto.createHash('sha256').update(text).digest('hex');

/** A render key or deliverable key: 64 lowercase hex characters. */
export const KEY_PATTERN = /^[0-9a-f]{64}$/;

export interface RenderKeyInput {
  templateId: string;
  /** Content hash of the template bundle: a code change gives new keys. */
  templateVersion: string;
  variant: string;
  /** Validated props (defaults filled in), so equal renders get equal keys. */
  props: unknown;
}

/**
 * sha256(templateId, templateVersion, variant, canonicalJson(props)). One
 * master render per key; the key is also the BullMQ job id and the storage
 * name, which gives dedupe and single-flight for free. `canonicalProps`:
 * canonicalJson(input.props) when the caller has it already (fan-out hashes
 * the same props for propsHash).
 */
export function renderKey(input: RenderKeyInput, canonicalProps: string = canonicalJson(input.props)): string {
  return sha256Hex(JSON.stringify([input.templateId, input.templateVersion, input.variant, canonicalProps]));
}

/**
 * sha256(canonicalJson(props)): the same data whatever the template version
 * or variant. `delivered` events carry it, and the consistency score checks
 * that every channel of a recipient was rendered from the same one.
 * `canonicalProps`: canonicalJson(props), when the caller has it already.
 */
export function propsHash(props: unknown, canonicalProps: string = canonicalJson(props)): string {
  return sha256Hex(canonicalProps);
}

/** sha256(renderKey, profile spec): one deliverable (a channel's encode) of a master. */
export function deliverableKey(masterKey: string, profileSpec: unknown): string {
  return sha256Hex(JSON.stringify([masterKey, canonicalJson(profileSpec)]));
}

export function isKey(value: unknown): value is string {
  return typeof value === 'string' && KEY_PATTERN.test(value);
}
