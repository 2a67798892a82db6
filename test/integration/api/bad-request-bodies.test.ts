import { mkdtemp, rm } from 'node:fs/promises';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { deflateSync, gzipSync } from 'node:zlib';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApiServer, type ApiServer } from '../../../src/api/main.js';
import { loadConfig } from '../../../src/config/index.js';
import { startTestRedis, type EmbeddedRedis } from '../../helpers/redis-server.js';
import { TEST_LIVE_KEYS } from '../../helpers/worker-process.js';

/**
 * Issue 13, defects 7 and 8: bad input is a 4xx with a clear message, never
 * a 500 with a stack in the log. A corrupt gzip or deflate body on every
 * route that reads a body, and a bundle path that names a directory.
 */

const API_KEY = 'bad-bodies-key';
let redis: EmbeddedRedis;
let dir: string;
let api: ApiServer;
const lines: string[] = [];

beforeAll(async () => {
  redis = await startTestRedis();
  dir = await mkdtemp(path.join(os.tmpdir(), 'mastercut-bodies-'));
  const config = loadConfig({
    NODE_ENV: 'test',
    LOG_LEVEL: 'info',
    REDIS_URL: redis.url,
    API_KEYS: API_KEY,
    STORAGE_ROOT: path.join(dir, 'storage'),
    MASTERCUT_CACHE_DIR: '.cache/test',
    LIVE_KEYS: TEST_LIVE_KEYS,
    DASHBOARD_SESSION_SECRET: 'bad-bodies-session-secret-0123456789abcdef',
  });
  const sink = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      lines.push(...chunk.toString().split('\n').filter(Boolean));
      callback();
    },
  });
  api = await startApiServer(config, { port: 0, host: '127.0.0.1', logger: pino({ level: 'info' }, sink) });
}, 60_000);

afterAll(async () => {
  await api?.close();
  await redis?.destroy();
  await rm(dir, { recursive: true, force: true });
});

/** A raw POST (fetch would refuse to send a body it cannot vouch for). */
function post(pathname: string, body: Buffer, headers: Record<string, string>): Promise<{ status: number; body: string }> {
  const url = new URL(api.url);
  return new Promise((resolve, reject) => {
    const req = http.request(
      { host: url.hostname, port: url.port, path: pathname, method: 'POST', headers: { 'content-length': String(body.length), ...headers } },
      (res) => {
        let text = '';
        res.on('data', (chunk: Buffer) => (text += chunk.toString()));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

const keyed = { authorization: `Bearer ${API_KEY}` };
const json = { 'content-type': 'application/json' };
const routes: [string, Record<string, string>][] = [
  ['/v1/events', { 'content-type': 'text/plain' }],
  ['/v1/events', json],
  ['/v1/events', { ...keyed, ...json }],
  ['/dashboard/login', { 'content-type': 'application/x-www-form-urlencoded' }],
  ['/v1/renders', { ...keyed, ...json }],
  ['/v1/live-links', { ...keyed, ...json }],
  ['/v1/webhooks', { ...keyed, ...json }],
  ['/v1/campaigns', { ...keyed, ...json }],
  ['/v1/campaigns?templateId=loyalty-tier&channels=email', { ...keyed, 'content-type': 'text/csv' }],
  ['/v1/campaigns?templateId=loyalty-tier&channels=email', { ...keyed, 'content-type': 'application/x-ndjson' }],
];

describe('corrupt compressed bodies', () => {
  it('answer 400 with a clear message on every route that reads a body, never 500', async () => {
    const failures = () => lines.filter((l) => /"level":50/.test(l));
    for (const encoding of ['gzip', 'deflate', 'br']) {
      for (const [route, headers] of routes) {
        for (const body of [Buffer.from('notgzip'), gzipSync('{"events":[]}').subarray(0, 12)]) {
          const res = await post(route, body, { ...headers, 'content-encoding': encoding });
          expect(res.status, `${encoding} ${route} ${headers['content-type']}`).toBe(400);
          expect(JSON.parse(res.body)).toMatchObject({ code: 'INVALID_ARGUMENT', issues: [{ path: '(body)', message: expect.stringMatching(/not valid compressed data/) }] });
        }
      }
    }
    expect(failures()).toEqual([]);
  });

  it('an unknown content encoding is 415, and a valid gzip or deflate body is read', async () => {
    for (const [route, headers] of routes) {
      const unknown = await post(route, Buffer.from('{}'), { ...headers, 'content-encoding': 'x-snappy' });
      expect(unknown.status, route).toBe(415);
      expect(JSON.parse(unknown.body)).toMatchObject({ code: 'UNSUPPORTED_ENCODING' });
    }
    const csv = 'recipientId,firstName,currentTier,nextTier,points,pointsToNextTier,memberSince\nz1,Ana,Silver,Gold,1,2,2015\n';
    for (const [encoding, pack] of [['gzip', gzipSync], ['deflate', deflateSync]] as const) {
      const created = await post('/v1/campaigns?templateId=loyalty-tier&channels=email', pack(csv), { ...keyed, 'content-type': 'text/csv', 'content-encoding': encoding });
      expect(created.status, created.body).toBe(202);
      expect(JSON.parse(created.body).counts).toMatchObject({ total: 1, valid: 1 });
    }
  });
});

describe('bundle paths', () => {
  it('a directory of a bundle is 404, never 500', async () => {
    const template = (await (await fetch(`${api.url}/v1/templates/year-recap`, { headers: keyed })).json()) as { version: string };
    for (const file of ['static', 'static/', 'static/fonts', '.', 'x/..']) {
      const res = await fetch(`${api.url}/b/year-recap/${template.version}/${file}`);
      expect([400, 404], file).toContain(res.status);
    }
    expect((await fetch(`${api.url}/b/year-recap/${template.version}/static`)).status).toBe(404);
    expect(lines.filter((l) => /EISDIR|"level":50/.test(l))).toEqual([]);
  });
});
