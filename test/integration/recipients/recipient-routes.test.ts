import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApiServer, type ApiServer } from '../../../src/api/main.js';
import { loadConfig } from '../../../src/config/index.js';
import { startTestRedis, type EmbeddedRedis } from '../../helpers/redis-server.js';
import { TEST_LIVE_KEYS } from '../../helpers/worker-process.js';

/** Issue 18 item 1: recipient profiles through the real API and a real Redis. */

const API_KEY = 'profiles-key';
const MAX_BYTES = 2048;
let redis: EmbeddedRedis;
let dir: string;
let api: ApiServer;

beforeAll(async () => {
  redis = await startTestRedis();
  dir = await mkdtemp(path.join(os.tmpdir(), 'mastercut-profiles-'));
  const config = loadConfig({
    NODE_ENV: 'test',
    REDIS_URL: redis.url,
    API_KEYS: API_KEY,
    STORAGE_ROOT: path.join(dir, 'storage'),
    MASTERCUT_CACHE_DIR: '.cache/test',
    LIVE_KEYS: TEST_LIVE_KEYS,
    RECIPIENT_PROFILE_MAX_BYTES: String(MAX_BYTES),
  });
  api = await startApiServer(config, { port: 0, host: '127.0.0.1', fastPath: false, logger: pino({ level: 'silent' }) });
}, 60_000);

afterAll(async () => {
  await api?.close();
  await redis?.destroy();
  await rm(dir, { recursive: true, force: true });
});

async function call(method: string, url: string, body?: unknown, contentType = 'application/json') {
  const res = await fetch(`${api.url}${url}`, {
    method,
    headers: { authorization: `Bearer ${API_KEY}`, ...(body === undefined ? {} : { 'content-type': contentType }) },
    ...(body === undefined ? {} : { body: typeof body === 'string' ? body : JSON.stringify(body) }),
  });
  const text = await res.text();
  return { status: res.status, body: (text ? JSON.parse(text) : undefined) as Record<string, any> };
}

describe('/v1/recipients/:id', () => {
  it('PUT creates, GET reads, an unchanged PUT keeps version and hash, a change bumps the version', async () => {
    const first = await call('PUT', '/v1/recipients/r-1', { name: { first: 'Ada' }, points: 10 });
    expect(first.status).toBe(200);
    expect(first.body).toMatchObject({ recipientId: 'r-1', version: 1 });
    expect(first.body.hash).toMatch(/^[0-9a-f]{64}$/);
    expect(Date.parse(first.body.updatedAt)).not.toBeNaN();

    const same = await call('PUT', '/v1/recipients/r-1', { points: 10, name: { first: 'Ada' } });
    expect(same.body).toEqual(first.body);

    const got = await call('GET', '/v1/recipients/r-1');
    expect(got.body).toEqual({ ...first.body, fields: { name: { first: 'Ada' }, points: 10 } });

    const changed = await call('PUT', '/v1/recipients/r-1', { name: { first: 'Ada' }, points: 11 });
    expect(changed.body.version).toBe(2);
    expect(changed.body.hash).not.toBe(first.body.hash);
  });

  it('PATCH merges (RFC 7396) with either content type; a no-op patch keeps the version', async () => {
    await call('PUT', '/v1/recipients/r-2', { name: { first: 'Bo', last: 'Lind' }, tier: 'Gold', tags: ['a'] });
    const patched = await call('PATCH', '/v1/recipients/r-2', { name: { last: null }, tier: 'Platinum', tags: ['b'] }, 'application/merge-patch+json');
    expect(patched.status).toBe(200);
    expect(patched.body.version).toBe(2);
    expect((await call('GET', '/v1/recipients/r-2')).body.fields).toEqual({ name: { first: 'Bo' }, tier: 'Platinum', tags: ['b'] });
    const noop = await call('PATCH', '/v1/recipients/r-2', { tier: 'Platinum' });
    expect(noop.body).toEqual(patched.body);
  });

  it('404 on a missing profile (GET, PATCH, DELETE); DELETE removes one', async () => {
    expect((await call('GET', '/v1/recipients/nobody')).status).toBe(404);
    expect((await call('PATCH', '/v1/recipients/nobody', { a: 1 })).status).toBe(404);
    expect((await call('DELETE', '/v1/recipients/nobody')).status).toBe(404);
    await call('PUT', '/v1/recipients/r-3', { a: 1 });
    expect((await call('DELETE', '/v1/recipients/r-3')).status).toBe(204);
    expect((await call('GET', '/v1/recipients/r-3')).status).toBe(404);
  });

  it('400 on a body that is not an object, a bad id or a prototype key; 413 on a profile over the bound; 401 without the key', async () => {
    for (const body of ['[1,2]', '"text"', '42', 'null']) {
      expect((await call('PUT', '/v1/recipients/r-4', body)).status).toBe(400);
      expect((await call('PATCH', '/v1/recipients/r-4', body)).status).toBe(400);
    }
    expect((await call('PUT', '/v1/recipients/bad%20id', { a: 1 })).status).toBe(400);
    expect((await call('PUT', '/v1/recipients/r-4', '{"a":{"__proto__":{"x":1}}}')).status).toBe(400);
    const big = await call('PUT', '/v1/recipients/r-4', { blob: 'x'.repeat(MAX_BYTES) });
    expect(big.status).toBe(413);
    expect(big.body.issues[0].message).toMatch(/at most 2048 \(RECIPIENT_PROFILE_MAX_BYTES\)/);
    await call('PUT', '/v1/recipients/r-4', { a: 1 });
    expect((await call('PATCH', '/v1/recipients/r-4', { blob: 'x'.repeat(MAX_BYTES) })).status).toBe(413);
    expect((await fetch(`${api.url}/v1/recipients/r-4`)).status).toBe(401);
  });

  it('concurrent PATCHes to one profile lose no update: the version ends at N+1', async () => {
    await call('PUT', '/v1/recipients/r-race', { seen: {} });
    const n = 40;
    const answers = await Promise.all(Array.from({ length: n }, (_, i) => call('PATCH', '/v1/recipients/r-race', { seen: { [`p${i}`]: i } })));
    expect(answers.every((a) => a.status === 200)).toBe(true);
    const final = await call('GET', '/v1/recipients/r-race');
    expect(final.body.version).toBe(n + 1);
    expect(Object.keys(final.body.fields.seen as object)).toHaveLength(n);
  });
});

describe('POST /v1/recipients/bulk', () => {
  it('CSV: dotted columns nest, every row is valid or reported by line', async () => {
    const csv = ['recipientId,name.first,loyalty.points,tier', 'c-1,Ada,10,Gold', 'bad id,Bo,3,Gold', 'c-2,Cy,,Silver', 'c-3,"unclosed,1', 'c-4,Di,7'].join('\n');
    // Line 5 opens a quote that line 6 never closes: the splitter refuses the whole rest (400).
    expect((await call('POST', '/v1/recipients/bulk', csv, 'text/csv')).status).toBe(400);

    const good = ['recipientId,name.first,loyalty.points,tier', 'c-1,Ada,10,Gold', 'bad id,Bo,3,Gold', 'c-2,Cy,,Silver', 'c-4,Di,7', 'c-5,"Ed ""E""",5,Gold'].join('\r\n');
    const res = await call('POST', '/v1/recipients/bulk', good, 'text/csv');
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ total: 5, valid: 3, invalid: 2 });
    expect(res.body.errors.map((e: { line: number }) => e.line)).toEqual([3, 5]);
    expect((await call('GET', '/v1/recipients/c-1')).body.fields).toEqual({ name: { first: 'Ada' }, loyalty: { points: '10' }, tier: 'Gold' });
    expect((await call('GET', '/v1/recipients/c-2')).body.fields).toEqual({ name: { first: 'Cy' }, tier: 'Silver' });
    expect((await call('GET', '/v1/recipients/c-5')).body.fields.name).toEqual({ first: 'Ed "E"' });
  });

  it('JSON Lines: typed fields, bad lines reported, a second identical upload changes no version', async () => {
    const lines = [
      JSON.stringify({ recipientId: 'j-1', name: { first: 'Ada' }, loyalty: { points: 10 } }),
      'not json',
      JSON.stringify({ name: 'no id' }),
      '',
      JSON.stringify({ recipientId: 'j-2', blob: 'x'.repeat(MAX_BYTES) }),
      JSON.stringify({ recipientId: 'j-3', tags: ['a', 'b'] }),
    ].join('\n');
    const res = await call('POST', '/v1/recipients/bulk', lines, 'application/x-ndjson');
    expect(res.body).toMatchObject({ total: 5, valid: 2, invalid: 3 });
    expect(res.body.errors.map((e: { line: number }) => e.line)).toEqual([2, 3, 5]);
    const before = await call('GET', '/v1/recipients/j-1');
    expect(before.body).toMatchObject({ version: 1, fields: { name: { first: 'Ada' }, loyalty: { points: 10 } } });
    await call('POST', '/v1/recipients/bulk', lines, 'application/x-ndjson');
    expect((await call('GET', '/v1/recipients/j-1')).body).toEqual(before.body);
  });

  it('many rows in pipelined batches', async () => {
    const n = 5_000;
    const rows = ['recipientId,n'];
    for (let i = 0; i < n; i++) rows.push(`m-${i},${i}`);
    const res = await call('POST', '/v1/recipients/bulk', rows.join('\n'), 'text/csv');
    expect(res.body).toMatchObject({ total: n, valid: n, invalid: 0 });
    expect((await call('GET', `/v1/recipients/m-${n - 1}`)).body.fields).toEqual({ n: String(n - 1) });
  });
});

describe('GET /v1/templates/:id', () => {
  it('shows the profile mapping a template declares', async () => {
    const res = await call('GET', '/v1/templates/loyalty-tier');
    expect(res.body.profileMapping).toMatchObject({ firstName: { path: 'name.first', default: 'there' }, points: { path: 'loyalty.points' } });
  });
});

describe('erasure', () => {
  it('DELETE /v1/subjects/:id removes the profile', async () => {
    await call('PUT', '/v1/recipients/gone-1', { email: 'a@example.com' });
    const erased = await call('DELETE', '/v1/subjects/gone-1');
    expect(erased.status).toBe(200);
    expect(erased.body.counts.profiles).toBe(1);
    expect((await call('GET', '/v1/recipients/gone-1')).status).toBe(404);
  });
});
