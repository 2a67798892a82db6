import { describe, expect, it } from 'vitest';
import { deliverableKey, isKey, KEY_PATTERN, renderKey } from '../../../src/cache/index.js';

const base = { templateId: 'year-recap', templateVersion: 'v1abc', variant: 'landscape', props: { name: 'Ada', trips: 3 } };

describe('renderKey', () => {
  it('is 64 lowercase hex characters', () => {
    expect(renderKey(base)).toMatch(KEY_PATTERN);
    expect(isKey(renderKey(base))).toBe(true);
  });

  it('ignores the key order of props', () => {
    expect(renderKey({ ...base, props: { trips: 3, name: 'Ada' } })).toBe(renderKey(base));
  });

  it('changes with template, version, variant and props', () => {
    const keys = new Set([
      renderKey(base),
      renderKey({ ...base, templateId: 'loyalty-tier' }),
      renderKey({ ...base, templateVersion: 'v2' }),
      renderKey({ ...base, variant: 'portrait' }),
      renderKey({ ...base, props: { name: 'Ada', trips: 4 } }),
      renderKey({ ...base, props: { name: 'Ada', trips: '3' } }),
    ]);
    expect(keys.size).toBe(6);
  });

  it('cannot be forged by moving text between fields', () => {
    const a = renderKey({ ...base, templateId: 'a', templateVersion: 'bc' });
    const b = renderKey({ ...base, templateId: 'ab', templateVersion: 'c' });
    expect(a).not.toBe(b);
  });
});

describe('deliverableKey / isKey', () => {
  it('depends on the master key and the profile spec, not on its key order', () => {
    const master = renderKey(base);
    const spec = { format: 'gif', width: 480, seconds: 3 };
    expect(deliverableKey(master, spec)).toMatch(KEY_PATTERN);
    expect(deliverableKey(master, { seconds: 3, width: 480, format: 'gif' })).toBe(deliverableKey(master, spec));
    expect(deliverableKey(master, { ...spec, width: 320 })).not.toBe(deliverableKey(master, spec));
    expect(deliverableKey(renderKey({ ...base, variant: 'square' }), spec)).not.toBe(deliverableKey(master, spec));
  });

  it('accepts only 64 lowercase hex characters', () => {
    expect(isKey('a'.repeat(64))).toBe(true);
    for (const value of ['A'.repeat(64), 'a'.repeat(63), 'a'.repeat(65), `../${'a'.repeat(61)}`, 42, undefined]) {
      expect(isKey(value)).toBe(false);
    }
  });
});
