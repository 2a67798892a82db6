import { createCipheriv, randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { AppError, isAppError, type ErrorCode } from '../../../src/errors/index.js';
import {
  createLiveKeyring,
  isStickyPayload,
  openLiveToken,
  sealLiveToken,
  type LiveKeyring,
  type LiveTokenInput,
} from '../../../src/live/index.js';

const keyA = randomBytes(32);
const keyB = randomBytes(32);
const ringAB = createLiveKeyring([{ id: 'ka', key: keyA }, { id: 'kb', key: keyB }]);
const ringBA = createLiveKeyring([{ id: 'kb', key: keyB }, { id: 'ka', key: keyA }]);
const NOW = 1_800_000_000_000;
const RECIPIENT = 'alice.recipient@example.com';

const input: LiveTokenInput = {
  templateId: 'year-recap',
  channel: 'email',
  props: { firstName: 'Alice', nights: 12, memberTier: 'gold' },
  campaignId: 'c-2026',
  recipientId: RECIPIENT,
};

function seal(ring: LiveKeyring = ringAB, payload: LiveTokenInput = input, ttlSeconds = 3600): string {
  return sealLiveToken(ring, payload, { ttlSeconds, now: NOW });
}

function refusal(work: () => unknown): AppError {
  try {
    work();
  } catch (err) {
    if (err instanceof AppError) return err;
    throw err;
  }
  throw new Error('expected a refusal');
}

function codeOf(token: unknown, ring: LiveKeyring = ringAB, now = NOW): ErrorCode | 'opened' {
  try {
    openLiveToken(ring, token, { now });
    return 'opened';
  } catch (err) {
    if (isAppError(err)) return err.code;
    throw err;
  }
}

function parts(token: string): [string, string, Buffer] {
  const [version, kid, body] = token.split('.') as [string, string, string];
  return [version, kid, Buffer.from(body, 'base64url')];
}

function withBytes(token: string, edit: (bytes: Buffer) => Buffer): string {
  const [version, kid, bytes] = parts(token);
  return `${version}.${kid}.${edit(Buffer.from(bytes)).toString('base64url')}`;
}

function flipAt(index: (length: number) => number) {
  return (bytes: Buffer) => {
    bytes[index(bytes.length)] ^= 0x01;
    return bytes;
  };
}

describe('sealLiveToken / openLiveToken', () => {
  it('round-trips the payload, with exp set from the TTL', () => {
    const token = seal();
    expect(token).toMatch(/^v1\.ka\.[A-Za-z0-9_-]+$/);
    expect(openLiveToken(ringAB, token, { now: NOW })).toEqual({ ...input, exp: NOW / 1000 + 3600 });
  });

  it('round-trips a stored-props reference and is opened by a rotated-out (still listed) key', () => {
    const ref = { templateId: 'year-recap', channel: 'sms', propsRef: randomBytes(16).toString('base64url') };
    const token = seal(ringBA, ref);
    expect(token.startsWith('v1.kb.')).toBe(true);
    const later = createLiveKeyring([{ id: 'kc', key: randomBytes(32) }, { id: 'kb', key: keyB }]);
    expect(openLiveToken(later, token, { now: NOW })).toEqual({ ...ref, exp: NOW / 1000 + 3600 });
  });

  it('uses a fresh IV every time', () => {
    expect(seal()).not.toBe(seal());
  });

  it('shows no personal data: neither the recipient id nor its base64 appears in the token', () => {
    const token = seal();
    const [, , bytes] = parts(token);
    expect(token).not.toContain(RECIPIENT);
    expect(bytes.toString('latin1')).not.toContain(RECIPIENT);
    expect(bytes.toString('latin1')).not.toContain('Alice');
    for (const shift of ['', 'x', 'xx']) {
      const encoded = Buffer.from(shift + RECIPIENT).toString('base64url').slice(4, 24);
      expect(token).not.toContain(encoded);
      expect(token).not.toContain(Buffer.from(shift + RECIPIENT).toString('base64').slice(4, 24));
    }
  });

  it('refuses a payload with both props and propsRef, or neither without a recipient', () => {
    const both = { ...input, propsRef: randomBytes(16).toString('base64url') };
    expect(refusal(() => seal(ringAB, both)).code).toBe('INVALID_ARGUMENT');
    const { props: _props, recipientId: _recipient, ...neither } = input;
    expect(refusal(() => seal(ringAB, neither)).code).toBe('INVALID_ARGUMENT');
  });

  it('seals a sticky link (a recipient, no props) and opens it as one', () => {
    const { props: _props, ...sticky } = input;
    const payload = openLiveToken(ringAB, seal(ringAB, sticky));
    expect(payload.recipientId).toBe(input.recipientId);
    expect(payload.props).toBeUndefined();
    expect(isStickyPayload(payload)).toBe(true);
    expect(isStickyPayload(openLiveToken(ringAB, seal(ringAB, input)))).toBe(false);
  });

  it('refuses to seal a token longer than maxLength (store the props instead)', () => {
    const big = { ...input, props: { text: randomBytes(1600).toString('hex') } };
    const err = refusal(() => seal(ringAB, big));
    expect(err.code).toBe('PAYLOAD_TOO_LARGE');
    expect(err.message).not.toContain(RECIPIENT);
  });
});

describe('openLiveToken abuse cases', () => {
  const token = seal();

  it('refuses a flipped byte in the IV, the ciphertext and the tag', () => {
    expect(codeOf(withBytes(token, flipAt(() => 0)))).toBe('TOKEN_INVALID');
    expect(codeOf(withBytes(token, flipAt(() => 11)))).toBe('TOKEN_INVALID');
    expect(codeOf(withBytes(token, flipAt(() => 12)))).toBe('TOKEN_INVALID');
    expect(codeOf(withBytes(token, flipAt((n) => Math.floor(n / 2))))).toBe('TOKEN_INVALID');
    expect(codeOf(withBytes(token, flipAt((n) => n - 16)))).toBe('TOKEN_INVALID');
    expect(codeOf(withBytes(token, flipAt((n) => n - 1)))).toBe('TOKEN_INVALID');
  });

  it('refuses every single-character change of the version, key id and body', () => {
    for (let i = 0; i < token.length; i++) {
      if (token[i] === '.') continue;
      const swapped = token[i] === 'A' ? 'B' : 'A';
      const changed = token.slice(0, i) + swapped + token.slice(i + 1);
      expect(codeOf(changed), `position ${i}`).toBe('TOKEN_INVALID');
    }
  });

  it('refuses a key id swapped for another valid one', () => {
    expect(codeOf(token.replace('v1.ka.', 'v1.kb.'))).toBe('TOKEN_INVALID');
    expect(codeOf(seal(ringBA).replace('v1.kb.', 'v1.ka.'))).toBe('TOKEN_INVALID');
  });

  it('refuses a duplicated tag, a duplicated body and extra parts', () => {
    const [version, kid, bytes] = parts(token);
    const body = bytes.toString('base64url');
    expect(codeOf(withBytes(token, (b) => Buffer.concat([b, b.subarray(b.length - 16)])))).toBe('TOKEN_INVALID');
    expect(codeOf(`${version}.${kid}.${body}.${body}`)).toBe('TOKEN_INVALID');
    expect(codeOf(`${version}.${kid}.${body}${body}`)).toBe('TOKEN_INVALID');
    expect(codeOf(`${token}.`)).toBe('TOKEN_INVALID');
    expect(codeOf(`.${token}`)).toBe('TOKEN_INVALID');
    expect(codeOf(`${version}.${version}.${kid}.${body}`)).toBe('TOKEN_INVALID');
  });

  it('refuses truncated tokens', () => {
    for (const cut of [1, 2, 4, 22, token.length - 10]) {
      expect(codeOf(token.slice(0, token.length - cut)), `cut ${cut}`).toBe('TOKEN_INVALID');
    }
    expect(codeOf(withBytes(token, (b) => b.subarray(0, b.length - 1)))).toBe('TOKEN_INVALID');
    expect(codeOf(withBytes(token, (b) => b.subarray(0, 29)))).toBe('TOKEN_INVALID');
    expect(codeOf('')).toBe('TOKEN_INVALID');
  });

  it('refuses other spellings of the same bytes: padding, standard alphabet, spare bits', () => {
    expect(codeOf(`${token}=`)).toBe('TOKEN_INVALID');
    expect(codeOf(`${token}==`)).toBe('TOKEN_INVALID');
    const [version, kid, bytes] = parts(token);
    const standard = bytes.toString('base64').replace(/=+$/, '');
    expect(Buffer.from(standard, 'base64').equals(bytes)).toBe(true);
    if (standard !== bytes.toString('base64url')) expect(codeOf(`${version}.${kid}.${standard}`)).toBe('TOKEN_INVALID');
    // A body whose last character carries unused bits: set them; Node decodes the same bytes.
    let odd = token;
    while (parts(odd)[2].length % 3 === 0) odd = seal(ringAB, { ...input, props: { ...input.props, pad: odd.length } });
    const body = odd.split('.')[2]!;
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
    const last = alphabet.indexOf(body.at(-1)!);
    const spare = body.slice(0, -1) + alphabet[last + 1]!;
    expect(Buffer.from(spare, 'base64url').equals(Buffer.from(body, 'base64url'))).toBe(true);
    expect(codeOf(`v1.ka.${spare}`)).toBe('TOKEN_INVALID');
    expect(codeOf(odd)).toBe('opened');
  });

  it('refuses an oversized token before anything else, even an authentic one', () => {
    const big = sealLiveToken(ringAB, { ...input, props: { text: 'x'.repeat(3000) } }, { ttlSeconds: 60, now: NOW, maxLength: 8000 });
    expect(codeOf(big)).toBe('TOKEN_INVALID');
    expect(openLiveToken(ringAB, big, { now: NOW, maxLength: 8000 }).templateId).toBe('year-recap');
    expect(codeOf('v1.ka.' + 'A'.repeat(5000))).toBe('TOKEN_INVALID');
  });

  it('answers TOKEN_EXPIRED at and after exp, and only for authentic tokens', () => {
    const short = seal(ringAB, input, 10);
    expect(codeOf(short, ringAB, NOW + 9_999)).toBe('opened');
    expect(codeOf(short, ringAB, NOW + 10_000)).toBe('TOKEN_EXPIRED');
    expect(codeOf(short, ringAB, NOW + 86_400_000)).toBe('TOKEN_EXPIRED');
    expect(codeOf(withBytes(short, flipAt((n) => n - 1)), ringAB, NOW + 86_400_000)).toBe('TOKEN_INVALID');
  });

  it('refuses a token from a retired key and from an unknown key', () => {
    const retired = createLiveKeyring([{ id: 'kb', key: keyB }, { id: 'ka', key: keyA }], ['ka']);
    expect(codeOf(token, retired)).toBe('TOKEN_INVALID');
    const other = createLiveKeyring([{ id: 'kz', key: randomBytes(32) }]);
    expect(codeOf(token, other)).toBe('TOKEN_INVALID');
    const sameIdOtherKey = createLiveKeyring([{ id: 'ka', key: randomBytes(32) }]);
    expect(codeOf(token, sameIdOtherKey)).toBe('TOKEN_INVALID');
  });

  it('refuses an authentic payload that does not match the schema (strict fields)', () => {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', keyA, iv);
    cipher.setAAD(Buffer.from('v1.ka'));
    const json = JSON.stringify({ t: 'year-recap', c: 'email', p: {}, e: NOW / 1000 + 60, admin: true });
    const sealed = Buffer.concat([iv, cipher.update(json), cipher.final(), cipher.getAuthTag()]);
    expect(codeOf(`v1.ka.${sealed.toString('base64url')}`)).toBe('TOKEN_INVALID');
  });

  it('binds version and key id as AAD: a body sealed for another header does not open', () => {
    const sealWith = (aad: string, key: Buffer) => {
      const iv = randomBytes(12);
      const cipher = createCipheriv('aes-256-gcm', key, iv);
      cipher.setAAD(Buffer.from(aad));
      const json = JSON.stringify({ t: 'year-recap', c: 'email', p: {}, e: NOW / 1000 + 60 });
      return Buffer.concat([iv, cipher.update(json), cipher.final(), cipher.getAuthTag()]).toString('base64url');
    };
    expect(codeOf(`v1.kb.${sealWith('v1.kb', keyB)}`)).toBe('opened');
    expect(codeOf(`v1.kb.${sealWith('v1.ka', keyB)}`)).toBe('TOKEN_INVALID');
    expect(codeOf(`v1.kb.${sealWith('v2.kb', keyB)}`)).toBe('TOKEN_INVALID');
    expect(codeOf(`v1.kb.${sealWith('', keyB)}`)).toBe('TOKEN_INVALID');
  });

  it('refuses non-strings and a wrong version', () => {
    for (const value of [undefined, null, 42, {}, ['v1']]) expect(codeOf(value)).toBe('TOKEN_INVALID');
    expect(codeOf(token.replace(/^v1\./, 'v2.'))).toBe('TOKEN_INVALID');
  });

  it('never puts the token or its payload in an error', () => {
    const body = token.split('.')[2]!;
    const cases = [withBytes(token, flipAt(() => 20)), `${token}=`, token.slice(0, -3), `${token}.${body}`];
    for (const bad of cases) {
      const err = refusal(() => openLiveToken(ringAB, bad, { now: NOW }));
      const shown = `${err.message} ${JSON.stringify(err.details)} ${err.publicMessage}`;
      expect(shown).not.toContain(body.slice(0, 12));
      expect(shown).not.toContain(RECIPIENT);
    }
    const expired = refusal(() => openLiveToken(ringAB, token, { now: NOW + 7_200_000 }));
    expect(expired.httpStatus).toBe(410);
    expect(`${expired.message} ${JSON.stringify(expired.details)}`).not.toContain(RECIPIENT);
    expect(`${expired.message} ${JSON.stringify(expired.details)}`).not.toContain(body.slice(0, 12));
    expect(refusal(() => openLiveToken(ringAB, `${token}=`, { now: NOW })).httpStatus).toBe(403);
  });
});
