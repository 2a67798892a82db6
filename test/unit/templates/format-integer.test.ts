import { describe, expect, it } from 'vitest';
import { formatInteger } from '../../../compositions/_shared/format.js';

// formatInteger() leaves Intl out (its locale data costs the landing page CPU): it must print what Intl printed.
const intl = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });

describe('formatInteger', () => {
  const values = [
    0, -0, 0.4, -0.4, 0.5, -0.5, 1, 9, 10, 99, 100, 999, 999.5, 1000, 1234, 12345, 123456, 1234567, 12345678.9, -1, -999, -1000, -1234567,
    Number.MAX_SAFE_INTEGER, -Number.MAX_SAFE_INTEGER, 2 ** 60, 1e21, -1e21, Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY,
  ];
  it.each(values)('prints %d as Intl en-US does', (value) => {
    expect(formatInteger(value)).toBe(intl.format(Math.round(value)));
  });

  it('groups thousands', () => {
    expect(formatInteger(12345)).toBe('12,345');
    expect(formatInteger(-1234567)).toBe('-1,234,567');
  });
});
