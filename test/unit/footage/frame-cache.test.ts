import { describe, expect, it } from 'vitest';
import { FrameCache } from '../../../src/footage/index.js';

const frame = (bytes: number, fill = 1) => Buffer.alloc(bytes, fill);

describe('FrameCache', () => {
  it('evicts the least recently used frames beyond its byte budget', () => {
    const cache = new FrameCache(300);
    cache.set('a', frame(100));
    cache.set('b', frame(100));
    cache.set('c', frame(100));
    expect(cache.get('a')).toBeDefined(); // a is now the most recent
    cache.set('d', frame(100));
    expect(cache.get('b')).toBeUndefined();
    expect(cache.get('a')).toBeDefined();
    expect(cache.stats()).toMatchObject({ entries: 3, bytes: 300, evictions: 1 });
  });

  it('replaces an entry without counting it twice, and keeps nothing larger than the budget', () => {
    const cache = new FrameCache(250);
    cache.set('a', frame(100));
    cache.set('a', frame(120, 2));
    expect(cache.stats().bytes).toBe(120);
    expect(cache.get('a')![0]).toBe(2);
    cache.set('big', frame(251));
    expect(cache.get('big')).toBeUndefined();
    expect(cache.stats()).toMatchObject({ entries: 1, bytes: 120 });
  });

  it('keeps nothing with a zero budget', () => {
    const cache = new FrameCache(0);
    cache.set('a', frame(1));
    expect(cache.get('a')).toBeUndefined();
    expect(() => new FrameCache(-1)).toThrow(RangeError);
  });
});
