import { describe, expect, it } from 'vitest';
import { formatDuration, parseDuration } from '../../../../src/ops/admin/index.js';

describe('parseDuration', () => {
  it.each([
    ['90s', 90_000],
    ['15m', 900_000],
    ['2h', 7_200_000],
    ['7d', 604_800_000],
    ['1w', 604_800_000],
    ['1500ms', 1_500],
    ['1h30m', 5_400_000],
    ['1d12h', 129_600_000],
    ['3600', 3_600_000],
    ['0.5h', 1_800_000],
    [' 2H ', 7_200_000],
  ])('%s is %d ms', (text, ms) => {
    expect(parseDuration(text)).toBe(ms);
  });

  it.each(['', 'abc', '7 days', '-1h', '1x', 'h1', '0', '0s', '1h-30m'])('refuses "%s" and names the flag', (text) => {
    expect(() => parseDuration(text, '--since')).toThrow(/--since: cannot read .* as a duration; use e\.g\. 90s/);
  });
});

describe('formatDuration', () => {
  it.each([
    [0, '0s'],
    [0.2, '<1s'],
    [45, '45s'],
    [720, '12m'],
    [3_600, '1h'],
    [12_000, '3h 20m'],
    [172_800, '2d'],
    [187_200, '2d 4h'],
    [Number.POSITIVE_INFINITY, 'never'],
  ])('%d s reads %s', (s, text) => {
    expect(formatDuration(s)).toBe(text);
  });
});
