import { describe, expect, it } from 'vitest';
import { loadConfig, parseRedisUrl } from '../../../src/config/index.js';

describe('REDIS_URL', () => {
  it('passes a single-server URL through untouched', () => {
    expect(parseRedisUrl('redis://127.0.0.1:6379/2')).toEqual({ kind: 'single', url: 'redis://127.0.0.1:6379/2' });
    expect(parseRedisUrl('rediss://u:p@redis.example.com:6380')).toMatchObject({ kind: 'single' });
  });

  it('reads a cluster URL: one node in the authority, more in ?seeds=, credentials, TLS', () => {
    expect(parseRedisUrl('redis-cluster://10.0.0.1:7000?seeds=10.0.0.2:7001,redis-c:7002')).toEqual({
      kind: 'cluster',
      seeds: [{ host: '10.0.0.1', port: 7000 }, { host: '10.0.0.2', port: 7001 }, { host: 'redis-c', port: 7002 }],
      username: undefined,
      password: undefined,
      tls: false,
    });
    expect(parseRedisUrl('rediss-cluster://farm:s%40cret@redis.example.com:6379')).toMatchObject({ username: 'farm', password: 's@cret', tls: true });
  });

  it('says what is wrong and never echoes the password', () => {
    const cases: [string, RegExp][] = [
      ['http://127.0.0.1:6379', /scheme "http:" is not supported/],
      ['redis-cluster://127.0.0.1', /needs host:port/],
      ['redis-cluster://127.0.0.1:7000/1', /only database 0/],
      ['redis-cluster://127.0.0.1:7000?seeds=a:1,b', /seeds: "b" is not host:port/],
      ['redis-cluster://127.0.0.1:7000?nodes=a:1', /unknown REDIS_URL parameter/],
      ['redis-cluster://u:hunter2@127.0.0.1:7000?seeds=x:99999', /is not host:port/],
    ];
    for (const [url, why] of cases) {
      const got = parseRedisUrl(url);
      expect(got, url).toMatch(why);
      expect(got).not.toContain('hunter2');
    }
  });

  it('is validated with the rest of the config, every problem at once', () => {
    expect(() => loadConfig({ REDIS_URL: 'redis-cluster://127.0.0.1', API_PORT: 'x' })).toThrowError(/REDIS_URL[\s\S]*host:port|API_PORT[\s\S]*REDIS_URL/);
    expect(loadConfig({ REDIS_URL: 'redis-cluster://127.0.0.1:7000' }).farm.redisUrl).toBe('redis-cluster://127.0.0.1:7000');
  });
});
