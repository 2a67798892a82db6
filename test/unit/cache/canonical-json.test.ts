import { describe, expect, it } from 'vitest';
import { canonicalJson } from '../../../src/cache/index.js';

describe('canonicalJson', () => {
  it('is independent of key order at every depth', () => {
    const a = { name: 'Ada', stats: { trips: 3, miles: 1200, top: { city: 'Oslo', country: 'NO' } }, list: [{ b: 1, a: 2 }] };
    const b = { list: [{ a: 2, b: 1 }], stats: { top: { country: 'NO', city: 'Oslo' }, miles: 1200, trips: 3 }, name: 'Ada' };
    expect(canonicalJson(a)).toBe(canonicalJson(b));
    expect(canonicalJson(a)).toBe('{"list":[{"a":2,"b":1}],"name":"Ada","stats":{"miles":1200,"top":{"city":"Oslo","country":"NO"},"trips":3}}');
  });

  it('keeps array order and value types significant', () => {
    expect(canonicalJson([1, 2])).not.toBe(canonicalJson([2, 1]));
    expect(canonicalJson({ a: 1 })).not.toBe(canonicalJson({ a: '1' }));
    expect(canonicalJson({ a: null })).not.toBe(canonicalJson({}));
  });

  it('drops undefined fields as JSON.stringify does', () => {
    expect(canonicalJson({ a: 1, b: undefined })).toBe(canonicalJson({ a: 1 }));
  });

  it('gives the same bytes as the entries-based form it replaced (render keys must not move)', () => {
    // The former implementation, kept here as the reference: a change of output would re-key every cached render.
    const reference = (value: unknown): unknown => {
      if (Array.isArray(value)) return value.map(reference);
      if (value && typeof value === 'object' && !(value instanceof Date)) {
        const entries = Object.entries(value as Record<string, unknown>)
          .filter(([, v]) => v !== undefined)
          .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
        return Object.fromEntries(entries.map(([k, v]) => [k, reference(v)]));
      }
      return value;
    };
    const tricky = JSON.parse('{"__proto__":{"z":1,"a":[{"y":2,"b":null}]},"10":"ten","2":"two","Zed":1,"zed":2,"é":3,"e\u0301":4,"😀":5,"when":"x"}');
    tricky.when = new Date(0);
    tricky.gone = undefined;
    for (const value of [tricky, { b: { d: [3, { f: 1, e: 2 }], c: true }, a: 'x' }, [], {}, 'text', 7, null]) {
      expect(canonicalJson(value)).toBe(JSON.stringify(reference(value)));
    }
    expect(canonicalJson(tricky)).toContain('"__proto__":{"a":[{"b":null,"y":2}],"z":1}');
  });

  it('writes plain values directly with the same bytes as sorted copies (the fast path must not move keys)', () => {
    const sorted = (value: unknown): unknown => {
      if (Array.isArray(value)) return value.map(sorted);
      if (value && typeof value === 'object' && !(value instanceof Date)) {
        const out: Record<string, unknown> = Object.create(null);
        for (const key of Object.keys(value).sort()) if ((value as Record<string, unknown>)[key] !== undefined) out[key] = sorted((value as Record<string, unknown>)[key]);
        return out;
      }
      return value;
    };
    const nullProto = Object.assign(Object.create(null), { b: 2, a: '\u2028"quote"\\' });
    const samples: unknown[] = [
      { firstName: 'Ada', points: 12, ratio: -0, big: 1e21, nan: Number.NaN, inf: Infinity, ok: false, none: null, gone: undefined },
      { nested: { z: [1, 'two', { y: null, x: [true] }], a: {} }, '10': 1, '2': 2, é: 'e', 'e\u0301': 'e2', '😀': '\ud800' },
      nullProto,
      [undefined, 1],
      [[], [[]], {}],
      { when: new Date(0), list: [new Date(1)] },
      { fn: () => 1, sym: Symbol('s'), keep: 1 },
      { toJSON: () => 'ignored', v: 1 },
      new Map([['a', 1]]),
      '', 0, true, null,
    ];
    for (const value of samples) expect(canonicalJson(value)).toBe(JSON.stringify(sorted(value)));
    // Flat rows in a run, as a campaign's are: the same keys, other orders, other keys, index-like keys, back again.
    const rows: Record<string, unknown>[] = [
      { name: 'A', points: 1, tier: 'Gold' },
      { name: 'B', points: 2, tier: 'Silver' },
      { tier: 'Gold', name: 'C', points: 3 },
      { name: 'D', points: 4 },
      { name: 'E', points: 5, tier: undefined, extra: null },
      { '10': 'x', name: 'F', '2': 'y' },
      { name: 'G', points: { nested: true }, tier: 'Gold' },
      { name: 'H', points: 8, tier: 'Gold' },
    ];
    for (const row of rows) expect(canonicalJson(row)).toBe(JSON.stringify(sorted(row)));
  });
});
