import { createHash } from 'node:crypto';
import { canonicalJson } from './canonical-json.js';

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
 * name, which gives dedupe and single-flight for free.
 */
export function renderKey(input: RenderKeyInput): string {
  return createHash('sha256')
    .update(JSON.stringify([input.templateId, input.templateVersion, input.variant, canonicalJson(input.props)]))
    .digest('hex');
}

/**
 * sha256(canonicalJson(props)): the same data whatever the template version
 * or variant. `delivered` events carry it, and the consistency score checks
 * that every channel of a recipient was rendered from the same one.
 */
export function propsHash(props: unknown): string {
  return createHash('sha256').update(canonicalJson(props)).digest('hex');
}

/** sha256(renderKey, profile spec): one deliverable (a channel's encode) of a master. */
export function deliverableKey(masterKey: string, profileSpec: unknown): string {
  return createHash('sha256').update(JSON.stringify([masterKey, canonicalJson(profileSpec)])).digest('hex');
}

export function isKey(value: unknown): value is string {
  return typeof value === 'string' && KEY_PATTERN.test(value);
}
