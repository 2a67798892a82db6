import { describe, expect, it } from 'vitest';
import { isAppError } from '../../../src/errors/index.js';
import { assertObjectKey, assertObjectPrefix, isInside, resolveObjectPath } from '../../../src/storage/index.js';
import { HOSTILE_KEYS } from '../../helpers/object-store-suite.js';

function codeOf(work: () => unknown): unknown {
  try {
    work();
  } catch (err) {
    return isAppError(err) ? err.code : err;
  }
  return 'accepted';
}

const hex = 'a'.repeat(64);

describe('assertObjectKey', () => {
  it('accepts the keys the code makes', () => {
    for (const key of [`renders/${hex}.mp4`, `deliverables/${hex}/email.gif`, 'campaigns/c_1/manifest.jsonl', 'a', '0-9.x_y']) {
      expect(codeOf(() => assertObjectKey(key)), key).toBe('accepted');
    }
  });

  it('refuses every hostile key with INVALID_KEY', () => {
    for (const key of HOSTILE_KEYS) expect(codeOf(() => assertObjectKey(key)), JSON.stringify(key)).toBe('INVALID_KEY');
    for (const value of [undefined, null, 42, ['a'], { toString: () => 'a' }]) {
      expect(codeOf(() => assertObjectKey(value))).toBe('INVALID_KEY');
    }
  });

  it('says why, without echoing unbounded input', () => {
    try {
      assertObjectKey(`../${'x'.repeat(1000)}`);
      expect.unreachable();
    } catch (err) {
      expect(isAppError(err) && err.details.reason).toBe('characters outside [a-z0-9/_.-]');
      expect((err as Error).message.length).toBeLessThan(300);
    }
  });
});

describe('assertObjectPrefix', () => {
  it('accepts directory prefixes and partial names', () => {
    for (const prefix of ['renders/', 'renders/ab', 'campaigns/c1/', 'c']) expect(codeOf(() => assertObjectPrefix(prefix))).toBe('accepted');
  });

  it('refuses empty, traversal and double-slash prefixes', () => {
    for (const prefix of ['', '/', '//', 'a//', '../', '..', 'a/../', './', '.x', 'a\\', '%2e%2e/']) {
      expect(codeOf(() => assertObjectPrefix(prefix)), prefix).toBe('INVALID_KEY');
    }
  });
});

describe('resolveObjectPath / isInside', () => {
  it('maps a key below the root', () => {
    expect(resolveObjectPath('/srv/store', 'renders/x.mp4')).toBe('/srv/store/renders/x.mp4');
  });

  it('tells inside from outside, including sibling names that share a prefix', () => {
    expect(isInside('/srv/store', '/srv/store')).toBe(true);
    expect(isInside('/srv/store', '/srv/store/a/b')).toBe(true);
    expect(isInside('/srv/store', '/srv/store-2/a')).toBe(false);
    expect(isInside('/srv/store', '/srv')).toBe(false);
    expect(isInside('/srv/store', '/etc/passwd')).toBe(false);
    expect(isInside('/srv/store', '/srv/store/..a')).toBe(true);
  });
});
