import { canonicalJson, propsHash } from '../cache/index.js';
import { AppError } from '../errors/index.js';
import { isJsonObject } from './merge-patch.js';

/** Keys that would reach an object's prototype if a consumer assigned them naively. */
const FORBIDDEN_KEYS = new Set(['__proto__', 'constructor', 'prototype']);

/** A profile as stored: its canonical JSON, the hash of it, and its size. */
export interface CanonicalFields {
  json: string;
  hash: string;
  bytes: number;
}

/**
 * Checks that `fields` can be a profile (a JSON object, no prototype keys
 * at any depth, at most `maxBytes` of canonical JSON) and returns its
 * canonical form. The hash is propsHash (sha256 of the canonical JSON), so key order
 * never makes a new version.
 */
export function canonicalFields(fields: unknown, maxBytes: number): CanonicalFields {
  if (!isJsonObject(fields)) {
    throw new AppError('INVALID_ARGUMENT', 'a profile is a JSON object of fields', { details: { issues: [{ path: '(root)', message: 'expected an object' }] } });
  }
  const bad = forbiddenKeyPath(fields, '');
  if (bad) throw new AppError('INVALID_ARGUMENT', `a profile field may not be named ${bad.split('.').pop()}`, { details: { issues: [{ path: bad, message: 'reserved name' }] } });
  const json = canonicalJson(fields);
  const bytes = Buffer.byteLength(json);
  if (bytes > maxBytes) {
    throw new AppError('PAYLOAD_TOO_LARGE', `a profile is at most ${maxBytes} bytes of JSON (this one is ${bytes}); RECIPIENT_PROFILE_MAX_BYTES sets the limit`, {
      details: { maxBytes, bytes, issues: [{ path: '(root)', message: `the profile is ${bytes} bytes of canonical JSON; at most ${maxBytes} (RECIPIENT_PROFILE_MAX_BYTES)` }] },
    });
  }
  // The same content hash as props (sha256 of canonical JSON): one definition of "the same data".
  return { json, bytes, hash: propsHash(fields) };
}

function forbiddenKeyPath(value: unknown, path: string): string | undefined {
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const found = forbiddenKeyPath(value[i], `${path}[${i}]`);
      if (found) return found;
    }
  } else if (isJsonObject(value)) {
    for (const [key, child] of Object.entries(value)) {
      const here = path ? `${path}.${key}` : key;
      if (FORBIDDEN_KEYS.has(key)) return here;
      const found = forbiddenKeyPath(child, here);
      if (found) return found;
    }
  }
  return undefined;
}
