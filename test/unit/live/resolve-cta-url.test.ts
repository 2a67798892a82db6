import { describe, expect, it } from 'vitest';
import type { CtaDefinition } from '../../../src/composition/template.schema.js';
import { isAppError, type ErrorCode } from '../../../src/errors/index.js';
import { resolveCtaUrl } from '../../../src/live/index.js';

const ctas: CtaDefinition[] = [
  { id: 'book', label: 'Book your next stay', url: 'https://hotel.example/book?tier={memberTier}' },
  { id: 'profile', label: 'Profile', url: 'https://hotel.example/u/{user.name}/p?n={nights}&vip={vip}#{memberTier}' },
  { id: 'plain', label: 'Home', url: 'https://hotel.example' },
  { id: 'js', label: 'x', url: 'javascript:alert({memberTier})' },
  { id: 'ftp', label: 'x', url: 'ftp://hotel.example/{memberTier}' },
  { id: 'host', label: 'x', url: 'https://{memberTier}.example/' },
  { id: 'glued', label: 'x', url: 'https://hotel.example{memberTier}' },
  { id: 'broken', label: 'x', url: 'https://hotel.example/{member-tier}' },
];

const props = { memberTier: 'gold', nights: 12, vip: true, user: { name: 'Zoë & co' }, list: ['a'], nothing: null };

function codeOf(ctaId: string, given: Record<string, unknown> = props, list: CtaDefinition[] = ctas): ErrorCode | string {
  try {
    return resolveCtaUrl(list, ctaId, given);
  } catch (err) {
    if (isAppError(err)) return err.code;
    throw err;
  }
}

describe('resolveCtaUrl', () => {
  it('fills the declared URL of year-recap', () => {
    expect(resolveCtaUrl(ctas, 'book', props)).toBe('https://hotel.example/book?tier=gold');
  });

  it('encodes every value with encodeURIComponent, nested props included', () => {
    expect(resolveCtaUrl(ctas, 'profile', props)).toBe('https://hotel.example/u/Zo%C3%AB%20%26%20co/p?n=12&vip=true#gold');
  });

  it('keeps hostile values inside their component', () => {
    const hostile = { memberTier: '"><script>alert(1)</script>&next=https://evil.example/#x' };
    const url = new URL(resolveCtaUrl(ctas, 'book', hostile));
    expect(url.origin).toBe('https://hotel.example');
    expect(url.searchParams.get('tier')).toBe(hostile.memberTier);
    expect([...url.searchParams.keys()]).toEqual(['tier']);
    expect(url.hash).toBe('');
  });

  it('accepts a URL without placeholders', () => {
    expect(resolveCtaUrl(ctas, 'plain', props)).toBe('https://hotel.example/');
  });

  it('refuses an undeclared CTA id', () => {
    expect(codeOf('https://evil.example')).toBe('NOT_FOUND');
    expect(codeOf('__proto__')).toBe('NOT_FOUND');
  });

  it('refuses a placeholder naming a missing or non-scalar prop', () => {
    expect(codeOf('book', {})).toBe('INVALID_PROPS');
    expect(codeOf('book', { memberTier: { nested: 1 } })).toBe('INVALID_PROPS');
    expect(codeOf('book', { memberTier: ['gold'] })).toBe('INVALID_PROPS');
    expect(codeOf('book', { memberTier: null })).toBe('INVALID_PROPS');
    expect(codeOf('book', { memberTier: Number.NaN })).toBe('INVALID_PROPS');
    expect(codeOf('profile', { ...props, user: {} })).toBe('INVALID_PROPS');
  });

  it('never reads a prop from the prototype chain', () => {
    const list = [{ id: 'p', label: 'x', url: 'https://hotel.example/?c={constructor}&s={toString}' }];
    expect(codeOf('p', {}, list)).toBe('INVALID_PROPS');
  });

  it('refuses declared URLs that are not http(s) or whose host a prop could choose', () => {
    expect(codeOf('js')).toBe('TEMPLATE_ERROR');
    expect(codeOf('ftp')).toBe('TEMPLATE_ERROR');
    expect(codeOf('host')).toBe('TEMPLATE_ERROR');
    expect(codeOf('glued')).toBe('TEMPLATE_ERROR');
    expect(codeOf('broken')).toBe('TEMPLATE_ERROR');
  });

  it('names the placeholder in errors, never the value', () => {
    try {
      resolveCtaUrl(ctas, 'book', { memberTier: { secret: 'alice@example.com' } });
      throw new Error('expected a refusal');
    } catch (err) {
      if (!isAppError(err)) throw err;
      expect(err.details).toEqual({ ctaId: 'book', placeholder: 'memberTier' });
      expect(err.message).not.toContain('alice');
    }
  });
});
