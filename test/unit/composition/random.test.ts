import { afterEach, describe, expect, it, vi } from 'vitest';
import { random } from '../../../src/composition/index.js';

describe('random', () => {
  it('is deterministic per seed', () => {
    expect(random('particle-1')).toBe(random('particle-1'));
    expect(random(42)).toBe(random(42));
    expect(random('particle-1')).not.toBe(random('particle-2'));
    expect(random(1)).not.toBe(random('1'));
  });

  it('stays in [0, 1) and spreads evenly', () => {
    const buckets = new Array<number>(10).fill(0);
    for (let i = 0; i < 5000; i++) {
      const v = random(`seed-${i}`);
      expect(v).toBeGreaterThanOrEqual(0);
      expect(v).toBeLessThan(1);
      buckets[Math.floor(v * 10)]!++;
    }
    for (const count of buckets) expect(count).toBeGreaterThan(400);
    expect(() => random(NaN)).toThrow(/NaN/);
  });

  it('random(null) is Math.random(), as in Remotion', () => {
    const spy = vi.spyOn(Math, 'random').mockReturnValueOnce(0.25);
    expect(random(null)).toBe(0.25);
    expect(spy).toHaveBeenCalledTimes(1);
  });

  it('rejects other seed types', () => {
    // @ts-expect-error invalid on purpose
    expect(() => random(undefined)).toThrow(/string or a number/);
  });
});

afterEach(() => {
  vi.restoreAllMocks();
});
