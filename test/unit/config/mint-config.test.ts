import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../../src/config/index.js';
import { createTokenBuckets } from '../../../src/api/middleware/token-buckets.js';

const MINT = 'mint-key-0123456789abcdefghij';

describe('MINT_KEYS and the mint rate', () => {
  it('defaults to no keys, 2,000/s and a burst of 10,000', () => {
    expect(loadConfig({}).mint).toEqual({ keys: [], ratePerSecond: 2000, burst: 10_000 });
    expect(loadConfig({ MINT_KEYS: `${MINT}, other-mint-key-0123456789ab` }).mint.keys).toEqual([MINT, 'other-mint-key-0123456789ab']);
  });

  it('refuses a short key, naming its position and never the key', () => {
    expect(() => loadConfig({ MINT_KEYS: `${MINT},short-key` })).toThrowError(/MINT_KEYS: entry 2 is shorter than 24 characters/);
    try {
      loadConfig({ MINT_KEYS: 'short-key' });
    } catch (err) {
      expect((err as Error).message).not.toContain('short-key');
    }
  });

  it('refuses a mint key that is also an API or admin key', () => {
    for (const env of [{ API_KEYS: `a,${MINT}` }, { ADMIN_API_KEYS: MINT }]) {
      let message = '';
      try {
        loadConfig({ MINT_KEYS: `other-mint-key-0123456789ab,${MINT}`, ...env });
      } catch (err) {
        message = (err as Error).message;
      }
      expect(message).toMatch(/MINT_KEYS: entry 2 is also an API or admin key/);
      expect(message).not.toContain(MINT);
    }
  });
});

describe('createTokenBuckets', () => {
  it('grants the burst, then refills at the rate, per name', () => {
    let now = 0;
    const buckets = createTokenBuckets({ ratePerSecond: 2, burst: 3, now: () => now });
    expect([buckets.take(0), buckets.take(0), buckets.take(0)]).toEqual([0, 0, 0]);
    expect(buckets.take(0)).toBeCloseTo(0.5);
    expect(buckets.take(1)).toBe(0);
    now = 500;
    expect(buckets.take(0)).toBe(0);
    expect(buckets.take(0)).toBeGreaterThan(0);
    now = 60_000;
    expect([buckets.take(0), buckets.take(0), buckets.take(0), buckets.take(0) > 0]).toEqual([0, 0, 0, true]);
  });
});
