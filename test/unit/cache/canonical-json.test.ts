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
});
