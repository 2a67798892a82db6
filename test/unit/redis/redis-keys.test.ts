import { describe, expect, it } from 'vitest';
import {
  backlogKeys,
  bullJobKey,
  clickRefKey,
  clickRefsOfKey,
  createRedisKeys,
  ENGAGEMENT_CAMPAIGNS_KEY,
  engagementKeys,
  EVENTS_STREAM_KEY,
  eventRateKey,
  HASH_TAG,
  orderImportKeys,
  redisKeys,
  renderWaitersKey,
  revokedSessionKey,
  statsBucketKey,
  webhookKeys,
} from '../../../src/redis/index.js';

const K = 'a'.repeat(64);

describe('the key registry', () => {
  it('keeps the layout the farm has always used (stored data stays readable)', () => {
    expect(redisKeys.output(K)).toBe(`{mastercut}:out:${K}`);
    expect(redisKeys.wanted(K)).toBe(`{mastercut}:want:${K}`);
    expect(redisKeys.plan('p1')).toBe('{mastercut}:plan:p1');
    expect(redisKeys.renderStream(K)).toBe(`{mastercut}:stream:${K}`);
    expect(redisKeys.captureProfile('recap-30s', 'v1')).toBe('{mastercut}:capprof:recap-30s:v1');
    expect(redisKeys.captureProfileRenders('recap-30s', 'v1')).toBe('{mastercut}:capprofn:recap-30s:v1');
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
      manifestParts: '{mastercut}:cmp:cmp_1:mparts',
      manifest: '{mastercut}:cmp:cmp_1:manifest',
      errors: '{mastercut}:cmp:cmp_1:errors',
      keys: '{mastercut}:cmp:cmp_1:keys',
      rendered: '{mastercut}:cmp:cmp_1:rendered',
      failed: '{mastercut}:cmp:cmp_1:failed',
      foreign: '{mastercut}:cmp:cmp_1:foreign',
      unprofiled: '{mastercut}:cmp:cmp_1:unprofiled',
    });
    expect(redisKeys.campaignChunkKeys('cmp_1', 12)).toBe('{mastercut}:cmp:cmp_1:keys:12');
    expect(bullJobKey('render', K)).toBe(`{mastercut}:render:${K}`);
    expect(backlogKeys('render').prioritized).toBe('{mastercut}:render:prioritized');
  });

  it('keeps the engagement, webhook, dashboard and ops layouts (stored data stays readable)', () => {
    expect(EVENTS_STREAM_KEY).toBe('{mastercut}:events');
    expect(ENGAGEMENT_CAMPAIGNS_KEY).toBe('{mastercut}:eng:campaigns');
    const eng = engagementKeys('c1');
    expect(eng.base).toBe('{mastercut}:eng:c1:');
    expect([eng.counts, eng.uniques, eng.seen, eng.humanCounts, eng.channelCount, eng.touch, eng.firstResponse, eng.firstNonClick]).toEqual(
      ['cnt', 'uniq', 'seen', 'hum', 'nch', 'touch', 'fr', 'frn'].map((s) => `{mastercut}:eng:c1:${s}`),
    );
    expect([eng.timeline, eng.deliveries, eng.opens, eng.clicks, eng.propsHash, eng.conversions, eng.browserConversions]).toEqual(
      ['tl', 'dl', 'im', 'ck', 'props', 'cv', 'bcv'].map((s) => `{mastercut}:eng:c1:${s}`),
    );
    expect(eng.hll('email', 'open')).toBe('{mastercut}:eng:c1:hll:email:open');
    expect(eng.eventId('e1')).toBe('{mastercut}:eng:c1:id:e1');
    expect(eng.waitingOn(K)).toBe(`{mastercut}:eng:c1:wait:${K}`);
    expect(renderWaitersKey(K)).toBe(`{mastercut}:eng:renderwait:${K}`);
    expect(eventRateKey('cl', 7)).toBe('{mastercut}:eng:rl:cl:7');
    expect(clickRefKey('r')).toBe('{mastercut}:eng:click:r');
    expect(clickRefsOfKey('h')).toBe('{mastercut}:eng:clickrefs:h');
    expect(orderImportKeys('i')).toEqual({ meta: '{mastercut}:eng:import:i:meta', errors: '{mastercut}:eng:import:i:errors' });
    expect(webhookKeys).toMatchObject({ ids: '{mastercut}:wh:ids', version: '{mastercut}:wh:version', failures: '{mastercut}:wh:failures', deadLetters: '{mastercut}:wh:dead' });
    expect(webhookKeys.endpoint('ep')).toBe('{mastercut}:wh:ep:ep');
    expect(webhookKeys.stats('ep')).toBe('{mastercut}:wh:stats:ep');
    expect(revokedSessionKey('s')).toBe('{mastercut}:dash:revoked:s');
    expect(statsBucketKey('render', 60, 5)).toBe('{mastercut}:ops:stats:render:60:5');
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
