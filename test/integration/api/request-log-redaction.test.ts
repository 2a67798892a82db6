import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApiServer, type ApiServer } from '../../../src/api/main.js';
import { loadConfig } from '../../../src/config/index.js';
import { rawGet } from '../../helpers/live-farm.js';
import { startTestRedis, type EmbeddedRedis } from '../../helpers/redis-server.js';
import { TEST_LIVE_KEYS } from '../../helpers/worker-process.js';

/**
 * Issue 13, defect 6: a request is logged with its route template
 * (`/l/:token/:asset`), never its raw path, so no spelling of a path puts a
 * Live token or a recipient id in the log. Every odd path shape the
 * adversarial pass found is sent, then the log is searched for both.
 */

const API_KEY = 'log-redaction-key';
const RECIPIENT = 'cust-logged-77';
let redis: EmbeddedRedis;
let dir: string;
let api: ApiServer;
let token = '';
const lines: string[] = [];

beforeAll(async () => {
  redis = await startTestRedis();
  dir = await mkdtemp(path.join(os.tmpdir(), 'mastercut-log-'));
  const config = loadConfig({
    NODE_ENV: 'test',
    LOG_LEVEL: 'info',
    REDIS_URL: redis.url,
    API_KEYS: API_KEY,
    STORAGE_ROOT: path.join(dir, 'storage'),
    MASTERCUT_CACHE_DIR: '.cache/test',
    LIVE_KEYS: TEST_LIVE_KEYS,
  });
  const sink = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      lines.push(...chunk.toString().split('\n').filter(Boolean));
      callback();
    },
  });
  api = await startApiServer(config, { port: 0, host: '127.0.0.1', logger: pino({ level: 'info' }, sink) });
  const res = await fetch(`${api.url}/v1/live-links`, {
    method: 'POST',
    headers: { authorization: `Bearer ${API_KEY}`, 'content-type': 'application/json' },
    body: JSON.stringify({ templateId: 'reference', channels: ['web'], props: { name: 'Logged', points: 1 }, recipientId: RECIPIENT, campaignId: 'cmp-log' }),
  });
  expect(res.status).toBe(201);
  token = ((await res.json()) as { links: { url: string }[] }).links[0]!.url.replace(/^.*\/l\//, '');
}, 60_000);

afterAll(async () => {
  await api?.close();
  await redis?.destroy();
  await rm(dir, { recursive: true, force: true });
});

const requestLines = () => lines.map((l) => JSON.parse(l) as Record<string, unknown>).filter((l) => l.msg === 'request' || l.msg === 'request failed');

describe('request log', () => {
  it('never holds a token or a recipient id, whatever the path looks like', async () => {
    const keyed = { authorization: `Bearer ${API_KEY}` };
    const shapes: [string, Record<string, string>?, string?][] = [
      [`/l/${token}`],
      [`/l/${token}/status`],
      [`/L/${token}/status`],
      [`//l/${token}`],
      [`/l//${token}`],
      [`/l/x/../${token}`],
      [`/l/x/%2e%2e/${token}`],
      [`/l/${token}%2fstatus`],
      [`/l/${token}/status?next=${token}`],
      [`/l/${token}/cta/${RECIPIENT}`],
      [`/l/${token}/${RECIPIENT}.mp4`],
      [`/b/reference/${RECIPIENT}/${token}`],
      [`//v1/subjects/${RECIPIENT}`, keyed, 'DELETE'],
      [`/v1/subjects//${RECIPIENT}`, undefined, 'DELETE'],
      [`/v1/subjects//${RECIPIENT}`, keyed, 'DELETE'],
      [`/v1/subjects/${RECIPIENT}/x`, keyed, 'DELETE'],
      [`/V1/Subjects/${RECIPIENT}`, {}, 'DELETE'],
      [`/v1/campaigns/${RECIPIENT}`, keyed],
      [`/v1/outputs/${RECIPIENT}`],
      [`/${RECIPIENT}/${token}`],
      [`/dashboard/campaigns/${RECIPIENT}`],
    ];
    for (const [shape, headers, method] of shapes) await rawGet(api.url, shape, { ...(headers ? { headers } : {}), ...(method ? { method } : {}) });
    // Erase last: the earlier shapes must reach a live link.
    await rawGet(api.url, `/v1/subjects/${RECIPIENT}`, { headers: keyed, method: 'DELETE' });

    const logged = lines.join('\n');
    expect(requestLines().length).toBeGreaterThanOrEqual(shapes.length + 2);
    expect(logged).not.toContain(token);
    expect(logged).not.toContain(token.slice(-40));
    expect(logged).not.toContain(RECIPIENT);
    // What is logged instead: the route templates.
    const routes = new Set(requestLines().map((l) => l.route));
    expect(routes).toContain('/l/:token');
    expect(routes).toContain('/l/:token/status');
    expect(routes).toContain('/v1/subjects/:recipientId');
    for (const line of requestLines()) expect(line).not.toHaveProperty('path');
  });
});
