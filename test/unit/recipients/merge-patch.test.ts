import { describe, expect, it } from 'vitest';
import { applyMergePatch, canonicalFields } from '../../../src/recipients/index.js';
import { propsHash } from '../../../src/cache/index.js';

describe('applyMergePatch (RFC 7396)', () => {
  // The examples of RFC 7396 appendix A.
  const cases: [unknown, unknown, unknown][] = [
    [{ a: 'b' }, { a: 'c' }, { a: 'c' }],
    [{ a: 'b' }, { b: 'c' }, { a: 'b', b: 'c' }],
    [{ a: 'b' }, { a: null }, {}],
    [{ a: 'b', b: 'c' }, { a: null }, { b: 'c' }],
    [{ a: ['b'] }, { a: 'c' }, { a: 'c' }],
    [{ a: 'c' }, { a: ['b'] }, { a: ['b'] }],
    [{ a: { b: 'c' } }, { a: { b: 'd', c: null } }, { a: { b: 'd' } }],
    [{ a: [{ b: 'c' }] }, { a: [1] }, { a: [1] }],
    [['a', 'b'], ['c', 'd'], ['c', 'd']],
    [{ a: 'b' }, ['c'], ['c']],
    [{ a: 'foo' }, null, null],
    [{ a: 'foo' }, 'bar', 'bar'],
    [{ e: null }, { a: 1 }, { e: null, a: 1 }],
    [[1, 2], { a: 'b', c: null }, { a: 'b' }],
    [{}, { a: { bb: { ccc: null } } }, { a: { bb: {} } }],
  ];
  it.each(cases)('%j + %j = %j', (target, patch, result) => {
    expect(applyMergePatch(target, patch)).toEqual(result);
  });

  it('changes neither input, and keeps nested siblings', () => {
    const target = { name: { first: 'Ada', last: 'L' }, points: 1 };
    const patch = { name: { last: null }, points: 2 };
    const copy = structuredClone(target);
    expect(applyMergePatch(target, patch)).toEqual({ name: { first: 'Ada' }, points: 2 });
    expect(target).toEqual(copy);
    expect(patch).toEqual({ name: { last: null }, points: 2 });
  });

  it('a __proto__ key stays a plain key (no prototype pollution)', () => {
    const out = applyMergePatch({}, JSON.parse('{"__proto__":{"polluted":true}}')) as Record<string, unknown>;
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(Object.getPrototypeOf(out)).toBe(Object.prototype);
  });
});

describe('canonicalFields', () => {
  it('hashes content, not key order, with the props hash', () => {
    const a = canonicalFields({ b: 1, a: { d: 2, c: 3 } }, 1024);
    const b = canonicalFields({ a: { c: 3, d: 2 }, b: 1 }, 1024);
    expect(a).toEqual(b);
    expect(a.hash).toBe(propsHash({ a: { c: 3, d: 2 }, b: 1 }));
    expect(canonicalFields({ b: 2, a: { d: 2, c: 3 } }, 1024).hash).not.toBe(a.hash);
  });

  it('refuses non-objects, prototype keys at any depth, and profiles over the bound', () => {
    for (const bad of [null, [], 'x', 1]) expect(() => canonicalFields(bad, 1024)).toThrow(expect.objectContaining({ code: 'INVALID_ARGUMENT' }));
    expect(() => canonicalFields({ a: [{ constructor: 1 }] }, 1024)).toThrow(expect.objectContaining({ code: 'INVALID_ARGUMENT' }));
    expect(() => canonicalFields({ s: 'x'.repeat(100) }, 100)).toThrow(expect.objectContaining({ code: 'PAYLOAD_TOO_LARGE' }));
    expect(canonicalFields({ s: 'x'.repeat(10) }, 100).bytes).toBe(JSON.stringify({ s: 'x'.repeat(10) }).length);
  });
});
