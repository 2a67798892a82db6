import { isAbsolute, relative, resolve, sep } from 'node:path';
import { AppError } from '../errors/index.js';

/** Longest key accepted; far below PATH_MAX once joined to a root. */
export const MAX_KEY_LENGTH = 1024;
/**
 * Longest path segment. Leaves room for the hidden temp and metadata names
 * (`.<segment>.<random>.partial`) inside the usual 255-byte name limit.
 */
export const MAX_SEGMENT_LENGTH = 200;

/** The agreed key alphabet (farm contract): lowercase, digits, `/ _ . -`. */
const KEY_CHARS = /^[a-z0-9][a-z0-9/_.-]*$/;
/**
 * Every segment starts with a letter or digit: this rules out `.`, `..` and
 * hidden names, which the file store keeps for its temp and metadata files,
 * so no key can ever name one of them.
 */
const SEGMENT = /^[a-z0-9][a-z0-9_.-]*$/;

function invalidKey(key: unknown, reason: string): AppError {
  // The key is code-made, never personal data, but it may be hostile: keep a
  // bounded, JSON-escaped copy for operators.
  const shown = typeof key === 'string' ? JSON.stringify(key.slice(0, 120)) : typeof key;
  return new AppError('INVALID_KEY', `Invalid object key ${shown}: ${reason}`, { details: { reason } });
}

function checkSegments(value: string, segments: string[]): void {
  for (const segment of segments) {
    if (segment.length === 0) throw invalidKey(value, 'empty path segment');
    if (segment.length > MAX_SEGMENT_LENGTH) throw invalidKey(value, 'path segment too long');
    if (!SEGMENT.test(segment)) throw invalidKey(value, 'segment must start with a letter or digit');
  }
}

/**
 * Throws AppError('INVALID_KEY') unless `key` is a well-formed object key:
 * the agreed alphabet (so no `\`, `%`, NUL, spaces or uppercase), no leading
 * or trailing slash, no empty, `.`, `..` or hidden segments.
 */
export function assertObjectKey(key: unknown): asserts key is string {
  if (typeof key !== 'string') throw invalidKey(key, 'not a string');
  if (key.length === 0 || key.length > MAX_KEY_LENGTH) throw invalidKey(key, 'bad length');
  if (!KEY_CHARS.test(key)) throw invalidKey(key, 'characters outside [a-z0-9/_.-]');
  checkSegments(key, key.split('/'));
}

/**
 * Like assertObjectKey, for a deletePrefix prefix: one trailing slash is
 * allowed (`renders/`) and the last segment may be a partial name. An empty
 * prefix is refused: wiping a whole store must be a deliberate, other act.
 */
export function assertObjectPrefix(prefix: unknown): asserts prefix is string {
  if (typeof prefix !== 'string') throw invalidKey(prefix, 'not a string');
  const body = prefix.endsWith('/') ? prefix.slice(0, -1) : prefix;
  if (body.length === 0 || prefix.length > MAX_KEY_LENGTH) throw invalidKey(prefix, 'bad length');
  if (!KEY_CHARS.test(body)) throw invalidKey(prefix, 'characters outside [a-z0-9/_.-]');
  checkSegments(prefix, body.split('/'));
}

/** True when `path` is `root` itself or lies below it (both absolute, resolved). */
export function isInside(root: string, path: string): boolean {
  const rel = relative(root, path);
  return rel === '' || (rel !== '..' && !rel.startsWith(`..${sep}`) && !isAbsolute(rel));
}

/**
 * The absolute file path of `key` below `root`. Validates the key, then checks
 * again on the resolved path (defence in depth: a bug in the pattern must
 * still not open a way out of the root).
 */
export function resolveObjectPath(root: string, key: string): string {
  assertObjectKey(key);
  const path = resolve(root, ...key.split('/'));
  if (path === root || !isInside(root, path)) throw invalidKey(key, 'resolves outside the store root');
  return path;
}
