import { isIPv4, isIPv6 } from 'node:net';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { remoteImageUrl } from '../../../src/composition/index.js';
import { parseIp } from '../../../src/net/index.js';
import { checkUrl } from '../../../src/render/remote-assets/index.js';
import { createCaseCounter, fuzzParameters } from '../../helpers/fuzz.js';

/**
 * Issue 13, defect 9: a private IPv6 literal in an image prop must be
 * refused when props are validated, not 89-100 frames into the render when
 * the fetcher refuses it. The validator and the fetcher judge a literal
 * with one address table, so they agree on every address.
 */

const schema = remoteImageUrl();
const validatorRefuses = (url: string) => !schema.safeParse(url).success;
const fetcherRefuses = (url: string) => {
  try {
    checkUrl(url);
    return false;
  } catch {
    return true;
  }
};

const cases = createCaseCounter();
afterAll(() => console.log(`address table agreement: ${cases.total()} cases`));

describe('one address table for the props validator and the fetcher', () => {
  it('refuses at validation the IPv6 literals that were only refused when fetched', () => {
    for (const host of ['[::7f00:1]', '[64:ff9b::7f00:1]', '[2002:7f00:1::]', '[::127.0.0.1]', '[64:ff9b::a9fe:a9fe]', '[2002:a00:1::]', '[2001:db8::1]', '[100::1]', '[ff02::1]', '[fec0::1]', '[64:ff9b:1::1]', '[::]', '[2001::1]']) {
      const url = `https://${host}/hero.png`;
      expect(fetcherRefuses(url), url).toBe(true);
      expect(validatorRefuses(url), url).toBe(true);
    }
    for (const host of ['[2606:4700::1111]', '8.8.8.8', '[64:ff9b::808:808]', '[2002:808:808::1]']) {
      const url = `https://${host}/hero.png`;
      expect(fetcherRefuses(url), url).toBe(false);
      expect(validatorRefuses(url), url).toBe(false);
    }
  });

  it('agrees with the fetcher on every IPv4 and IPv6 literal (property)', () => {
    const v4 = fc.ipV4();
    const embedded = fc.tuple(fc.constantFrom('::ffff:', '64:ff9b::', '::'), fc.ipV4()).map(([prefix, ip]) => `${prefix}${ip}`);
    const sixToFour = fc.tuple(fc.ipV4(), fc.nat(0xffff)).map(([ip, tail]) => {
      const [a, b, c, d] = ip.split('.').map(Number) as [number, number, number, number];
      return `2002:${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}::${tail.toString(16)}`;
    });
    const host = fc.oneof(v4, fc.ipV6().map((ip) => `[${ip}]`), embedded.map((ip) => `[${ip}]`), sixToFour.map((ip) => `[${ip}]`));
    fc.assert(
      fc.property(
        host,
        cases.count('literal', (h) => {
          const url = `https://${h}/a.png`;
          expect(validatorRefuses(url), url).toBe(fetcherRefuses(url));
        }),
      ),
      fuzzParameters(2000),
    );
  });

  it('parses exactly what node:net calls an IP address (the table has no Node API, for the browser bundle)', () => {
    const noise = fc.string({ unit: fc.constantFrom(...'0123456789abcdefABCDEF:.'.split('')), maxLength: 45 });
    fc.assert(
      fc.property(
        fc.oneof(fc.ipV4(), fc.ipV6(), fc.ipV4Extended(), noise),
        cases.count('parse', (text) => {
          const parsed = parseIp(text);
          expect(parsed !== null, text).toBe(isIPv4(text) || isIPv6(text));
          if (parsed) expect(parsed.family).toBe(isIPv4(text) ? 4 : 6);
        }),
      ),
      fuzzParameters(2000),
    );
  });
});
