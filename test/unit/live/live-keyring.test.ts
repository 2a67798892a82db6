import { randomBytes } from 'node:crypto';
import { inspect } from 'node:util';
import { describe, expect, it } from 'vitest';
import { AppError, isAppError } from '../../../src/errors/index.js';
import { devKeyring, parseLiveKeyring, resolveLiveKeyring } from '../../../src/live/index.js';

const keyA = randomBytes(32);
const keyB = randomBytes(32);
const b64 = (key: Buffer) => key.toString('base64');

function configError(work: () => unknown): AppError {
  try {
    work();
  } catch (err) {
    if (isAppError(err, 'CONFIG_INVALID')) return err;
    throw err;
  }
  throw new Error('expected CONFIG_INVALID');
}

describe('parseLiveKeyring', () => {
  it('makes the first key active and lets every listed key open', () => {
    const ring = parseLiveKeyring({ keys: `k2026b:${b64(keyB)}, k2026a:${b64(keyA)}` });
    expect(ring.active.id).toBe('k2026b');
    expect(ring.ids).toEqual(['k2026b', 'k2026a']);
    expect(ring.find('k2026a')?.key.export().equals(keyA)).toBe(true);
    expect(ring.find('nope')).toBeUndefined();
  });

  it('accepts base64url and unpadded spellings of a key', () => {
    const ring = parseLiveKeyring({ keys: `a:${keyA.toString('base64url')},b:${b64(keyB).replace(/=+$/, '')}` });
    expect(ring.find('a')?.key.export().equals(keyA)).toBe(true);
    expect(ring.find('b')?.key.export().equals(keyB)).toBe(true);
  });

  it('refuses retired ids even when they are listed', () => {
    const ring = parseLiveKeyring({ keys: `k2026:${b64(keyA)},k2025:${b64(keyB)}`, retiredIds: 'k2025' });
    expect(ring.find('k2025')).toBeUndefined();
    expect(ring.ids).toEqual(['k2026']);
    expect(ring.retiredIds).toEqual(['k2025']);
  });

  it('refuses a retired active key', () => {
    expect(configError(() => parseLiveKeyring({ keys: `k2026:${b64(keyA)}`, retiredIds: 'k2026' })).message).toMatch(/active/);
  });

  it.each([
    ['empty', ''],
    ['no colon', b64(keyA)],
    ['short key', `a:${randomBytes(16).toString('base64')}`],
    ['long key', `a:${randomBytes(33).toString('base64')}`],
    ['bad id charset', `a.b:${b64(keyA)}`],
    ['id too long', `abcdefghijklmnopq:${b64(keyA)}`],
    ['duplicate id', `a:${b64(keyA)},a:${b64(keyB)}`],
    ['same key twice', `a:${b64(keyA)},b:${b64(keyA)}`],
    ['not base64', `a:${b64(keyA).slice(0, -2)}!!`],
    ['mixed alphabets', `a:${'+_'.repeat(21)}A=`],
    ['placeholder key', `a:${Buffer.alloc(32).toString('base64')}`],
    ['empty entry', `a:${b64(keyA)},,b:${b64(keyB)}`],
  ])('refuses %s without printing key material', (_name, keys) => {
    const err = configError(() => parseLiveKeyring({ keys }));
    for (const key of [keyA, keyB]) {
      expect(err.message).not.toContain(b64(key).slice(0, 16));
      expect(JSON.stringify(err.details)).not.toContain(b64(key).slice(0, 16));
    }
  });

  it('refuses malformed retired ids', () => {
    configError(() => parseLiveKeyring({ keys: `a:${b64(keyA)}`, retiredIds: 'a,,b' }));
    configError(() => parseLiveKeyring({ keys: `a:${b64(keyA)}`, retiredIds: 'bad id' }));
  });

  it('never shows key bytes through inspect or JSON', () => {
    const ring = parseLiveKeyring({ keys: `a:${b64(keyA)}` });
    const shown = inspect(ring, { depth: 5 }) + JSON.stringify(ring);
    expect(shown).not.toContain(b64(keyA).slice(0, 16));
    expect(shown).not.toContain(keyA.toString('hex').slice(0, 16));
  });
});

describe('devKeyring / resolveLiveKeyring', () => {
  it('gives a random key per call and a warning', () => {
    const one = devKeyring();
    const two = devKeyring();
    expect(one.warning).toMatch(/LIVE_KEYS/);
    expect(one.keyring.active.key.export().equals(two.keyring.active.key.export())).toBe(false);
  });

  it('uses LIVE_KEYS when set, the dev keyring in development, and refuses production without keys', () => {
    expect(resolveLiveKeyring({ keys: `a:${b64(keyA)}` }, 'production').warning).toBeUndefined();
    expect(resolveLiveKeyring({}, 'development').warning).toMatch(/random/);
    configError(() => resolveLiveKeyring({ keys: '  ' }, 'production'));
  });
});
