import { describe, expect, it } from 'vitest';
import * as redisModule from '../../../src/redis/index.js';
import { backlogKeys, bullJobKey, createRedisKeys, HASH_TAG, redisKeys, type RedisScript } from '../../../src/redis/index.js';

const K = 'a'.repeat(64);

describe('the key registry', () => {
  it('keeps the layout the farm has always used (stored data stays readable)', () => {
    expect(redisKeys.output(K)).toBe(`{mastercut}:out:${K}`);
    expect(redisKeys.wanted(K)).toBe(`{mastercut}:want:${K}`);
    expect(redisKeys.plan('p1')).toBe('{mastercut}:plan:p1');
    expect(redisKeys.renderStream(K)).toBe(`{mastercut}:stream:${K}`);
    expect(redisKeys.worker('render', 'w1')).toBe('{mastercut}:workers:render:w1');
    expect(redisKeys.workerPattern()).toBe('{mastercut}:workers:*:*');
    expect(redisKeys.storedProps('x')).toBe('{mastercut}:props:x');
    expect(redisKeys.coldClient('d')).toBe('{mastercut}:cold:c:d');
    expect(redisKeys.coldLink('d')).toBe('{mastercut}:cold:l:d');
    expect(redisKeys.subject('h')).toBe('{mastercut}:subject:h');
    expect(redisKeys.tombstone('h')).toBe('{mastercut}:tomb:h');
    expect(redisKeys.keyTombstone(K)).toBe(`{mastercut}:tomb:key:${K}`);
    expect(redisKeys.audit).toBe('{mastercut}:audit');
    expect(redisKeys.erasures).toBe('{mastercut}:erasures');
    expect(redisKeys.campaign('cmp_1')).toEqual({
      meta: '{mastercut}:cmp:cmp_1',
      manifest: '{mastercut}:cmp:cmp_1:manifest',
      errors: '{mastercut}:cmp:cmp_1:errors',
      keys: '{mastercut}:cmp:cmp_1:keys',
      rendered: '{mastercut}:cmp:cmp_1:rendered',
      failed: '{mastercut}:cmp:cmp_1:failed',
      foreign: '{mastercut}:cmp:cmp_1:foreign',
    });
    expect(bullJobKey('render', K)).toBe(`{mastercut}:render:${K}`);
    expect(backlogKeys('render').prioritized).toBe('{mastercut}:render:prioritized');
  });

  it('puts every key under the hash tag, whatever the base', () => {
    const keys = createRedisKeys('{mastercut}:test:q1:');
    expect(keys.output(K)).toBe(`{mastercut}:test:q1:out:${K}`);
    expect(() => createRedisKeys('test:')).toThrow(/hash tag|must start/);
    for (const value of Object.values(redisKeys)) {
      const sample = typeof value === 'function' ? (value as (a: string, b: string) => unknown)('x', 'y') : value;
      for (const key of typeof sample === 'string' ? [sample] : Object.values(sample as object)) expect(String(key).startsWith(HASH_TAG)).toBe(true);
    }
  });
});

/**
 * Redis Cluster proxies refuse keys a script did not declare: the first
 * argument of every keyed command must be KEYS[i] or a local bound to KEYS.
 */
describe('the scripts declare every key they touch', () => {
  const scripts = Object.values(redisModule).filter((v): v is RedisScript => typeof v === 'object' && v !== null && 'lua' in v && 'sha' in v);
  const KEYLESS = new Set(['TIME']);

  it('finds the scripts', () => expect(scripts.length).toBeGreaterThanOrEqual(9));

  for (const script of scripts) {
    it(script.name, () => {
      const calls = [...script.lua.matchAll(/redis\.call\('([A-Z]+)'(?:,\s*([^,)]+))?/g)];
      expect(calls.length).toBeGreaterThan(0);
      for (const [, command, first] of calls) {
        if (KEYLESS.has(command!)) continue;
        const arg = first!.trim();
        if (/^KEYS\[[^\]]+\]$/.test(arg)) continue;
        // A local bound from KEYS: `local b = KEYS[1]`, `local a, b = KEYS[..], KEYS[..]`, `for i, key in ipairs(KEYS)`, or assigned a KEYS-bound local.
        const boundFromKeys = new RegExp(`(\\b${arg}\\b[^=\\n]*=[^\\n]*KEYS)|(\\b${arg}\\b[^\\n]*in ipairs\\(KEYS\\))`).test(script.lua);
        expect(boundFromKeys, `${script.name}: ${command} ${arg}`).toBe(true);
      }
    });
  }
});
