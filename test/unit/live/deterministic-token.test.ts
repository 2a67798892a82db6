import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { createLiveKeyring, DETERMINISTIC_EXPIRY_STEP_S, openLiveToken, sealLiveToken, type LiveTokenInput } from '../../../src/live/index.js';

const ring = createLiveKeyring([{ id: 'k1', key: randomBytes(32) }]);
const other = createLiveKeyring([{ id: 'k1', key: randomBytes(32) }]);
const input: LiveTokenInput = { templateId: 'welcome-clip', channel: 'email', props: { firstName: 'Ada' }, recipientId: 'u-1' };
const HOUR_START = 1_800_000_000 - (1_800_000_000 % 3600);

describe('sealLiveToken({ deterministic: true })', () => {
  it('gives the same token for the same input within the hour its expiry rounds to, and it opens', () => {
    const at = (s: number) => sealLiveToken(ring, input, { ttlSeconds: 86_400, now: s * 1000, deterministic: true });
    const a = at(HOUR_START + 1);
    expect(at(HOUR_START + 1800)).toBe(a);
    expect(at(HOUR_START + 3600)).toBe(a);
    expect(at(HOUR_START + 3601)).not.toBe(a);
    const payload = openLiveToken(ring, a, { now: (HOUR_START + 2) * 1000 });
    expect(payload.exp).toBe(HOUR_START + 3600 + 86_400);
    expect(payload.exp % DETERMINISTIC_EXPIRY_STEP_S).toBe(0);
    expect(payload.props).toEqual({ firstName: 'Ada' });
  });

  it('differs with the payload and with the key; random IVs stay the default', () => {
    const now = HOUR_START * 1000 + 5;
    const seal = (i: LiveTokenInput, r = ring) => sealLiveToken(r, i, { ttlSeconds: 60, now, deterministic: true });
    const base = seal(input);
    expect(seal({ ...input, props: { firstName: 'Adb' } })).not.toBe(base);
    expect(seal({ ...input, recipientId: 'u-2' })).not.toBe(base);
    expect(seal(input, other)).not.toBe(base);
    // Different payloads never share an IV (the first 12 bytes of the sealed body).
    const iv = (t: string) => Buffer.from(t.split('.')[2]!, 'base64url').subarray(0, 12).toString('hex');
    expect(iv(seal({ ...input, props: { firstName: 'Adb' } }))).not.toBe(iv(base));
    const random = () => sealLiveToken(ring, input, { ttlSeconds: 60, now });
    expect(random()).not.toBe(random());
  });
});
