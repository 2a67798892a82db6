import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { API_KEY, startApiHarness, type ApiHarness } from './api-harness.js';

const KEY = 'a'.repeat(64);

describe('HTTP API: authentication and bad requests', () => {
  let api: ApiHarness;
  beforeAll(async () => {
    api = await startApiHarness({ jsonLimitBytes: 8 * 1024 });
  });
  afterAll(async () => {
    await api?.close();
  });

  it('answers /healthz without a key and tags every answer with a request id', async () => {
    const res = await api.call('/healthz', { auth: false });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ status: 'ok', redis: 'ready' });
    expect(res.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
    const echoed = await api.call('/healthz', { auth: false, headers: { 'x-request-id': 'lb-123' } });
    expect(echoed.headers.get('x-request-id')).toBe('lb-123');
    const unsafe = await api.call('/healthz', { auth: false, headers: { 'x-request-id': 'a b<script>' } });
    expect(unsafe.headers.get('x-request-id')).not.toContain('script');
  });

  it.each([
    ['no Authorization header', undefined, 'Bearer realm="mastercut"'],
    ['a wrong key', `Bearer ${API_KEY}x`, 'Bearer realm="mastercut", error="invalid_token"'],
    ['a key prefix', `Bearer ${API_KEY.slice(0, 10)}`, 'Bearer realm="mastercut", error="invalid_token"'],
    ['another scheme', `Basic ${Buffer.from(`u:${API_KEY}`).toString('base64')}`, 'Bearer realm="mastercut"'],
    ['an empty bearer', 'Bearer ', 'Bearer realm="mastercut"'],
  ])('refuses %s with 401 and WWW-Authenticate', async (_name, authorization, challenge) => {
    const headers: Record<string, string> = authorization === undefined ? {} : { authorization };
    for (const [method, path] of [
      ['GET', '/v1/templates'],
      ['POST', '/v1/renders'],
      ['GET', `/v1/renders/${KEY}`],
    ] as const) {
      const res = await api.call(path, { auth: false, method, headers });
      expect(res.status, `${method} ${path}`).toBe(401);
      expect(res.headers.get('www-authenticate')).toBe(challenge);
      expect(await res.json()).toEqual({ code: 'UNAUTHORIZED', message: 'Missing or invalid API key.' });
    }
  });

  it('accepts every configured key', async () => {
    const res = await api.call('/v1/templates', { headers: { authorization: 'Bearer another-key' } });
    expect(res.status).toBe(200);
  });

  it('answers 400 INVALID_ARGUMENT to malformed JSON', async () => {
    const res = await api.call('/v1/renders', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"templateId": "reference", ',
    });
    expect(res.status).toBe(400);
    const body = await res.json();
    expect(body.code).toBe('INVALID_ARGUMENT');
    expect(JSON.stringify(body)).not.toMatch(/SyntaxError|Unexpected|at /);
  });

  it('answers 413 PAYLOAD_TOO_LARGE to a body over the limit, before reading it all', async () => {
    const big = JSON.stringify({ templateId: 'reference', props: { title: 'x'.repeat(64 * 1024) } });
    const res = await api.call('/v1/renders', { method: 'POST', headers: { 'content-type': 'application/json' }, body: big });
    expect(res.status).toBe(413);
    expect(await res.json()).toEqual({ code: 'PAYLOAD_TOO_LARGE', message: 'Request body too large.' });
  });

  it('answers 400 with field paths (never values) to an invalid render request', async () => {
    const res = await api.call('/v1/renders', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ templateId: 'reference', priority: 'campaign', extra: 'secret-value' }),
    });
    expect(res.status).toBe(400);
    const body = await res.json();
    expect(body.code).toBe('INVALID_ARGUMENT');
    expect(body.issues.map((i: { path: string }) => i.path).sort()).toEqual(['(body)', 'priority']);
    expect(JSON.stringify(body)).not.toContain('secret-value');
  });

  it('answers 400 INVALID_PROPS with the failing fields', async () => {
    const res = await api.call('/v1/renders', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ templateId: 'loyalty-tier', props: { points: -5, firstName: 'Private Name'.repeat(10) } }),
    });
    expect(res.status).toBe(400);
    const body = await res.json();
    expect(body.code).toBe('INVALID_PROPS');
    expect(body.issues.map((i: { path: string }) => i.path).sort()).toEqual(['firstName', 'points']);
    expect(body.issues[0]).toEqual({ path: expect.any(String), message: expect.any(String) });
    expect(JSON.stringify(body)).not.toContain('Private Name');
  });

  it('answers 404 TEMPLATE_NOT_FOUND and VARIANT_NOT_FOUND 400 for unknown names', async () => {
    const unknown = await api.call('/v1/renders', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ templateId: 'no-such-template' }),
    });
    expect(unknown.status).toBe(404);
    expect((await unknown.json()).code).toBe('TEMPLATE_NOT_FOUND');
    const variant = await api.call('/v1/renders', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ templateId: 'reference', variant: 'portrait' }),
    });
    expect(variant.status).toBe(400);
    expect((await variant.json()).code).toBe('VARIANT_NOT_FOUND');
  });

  it.each([
    '/v1/outputs/..%2F..%2Fetc%2Fpasswd',
    '/v1/outputs/%2e%2e%2f%2e%2e%2fetc%2fpasswd',
    '/v1/outputs/%252e%252e%252f%252e%252e%252fetc%252fpasswd',
    '/v1/outputs/..%5c..%5cwindows%5cwin.ini',
    '/v1/outputs/../../etc/passwd',
    '/v1/outputs/..',
    '/v1/outputs/%c0%ae%c0%ae%2fetc',
    `/v1/outputs/${KEY}%00.mp4`,
    `/v1/outputs/${KEY}.mp4`,
    `/v1/outputs/${KEY.toUpperCase()}`,
    '/v1/renders/..%2F..%2Fetc%2Fpasswd',
    '/v1/renders/%2e%2e',
    `/v1/renders/${KEY.slice(1)}`,
    '/v1/templates/..%2F..%2Fetc%2Fpasswd',
    '/v1/templates/%2e%2e%2fcompositions',
    '/v1/templates/Reference',
    '/v1/templates/reference%2Findex.tsx',
    '/v1/campaigns/../../etc/passwd',
    '/v1/../v1/templates',
  ])('answers 400 INVALID_KEY to %s', async (path) => {
    const res = await api.raw(path);
    expect(res.status).toBe(400);
    expect(JSON.parse(res.body)).toEqual({ code: 'INVALID_KEY', message: 'Invalid key or id.' });
  });

  it('answers unknown routes with a 404 JSON body', async () => {
    for (const path of ['/nope', '/v1/nope', '/v1/outputs/']) {
      const res = await api.call(path);
      expect(res.status, path).toBe(404);
      expect(res.headers.get('content-type')).toMatch(/^application\/json/);
      expect(await res.json()).toEqual({ code: 'NOT_FOUND', message: 'Not found.' });
    }
    const post = await api.call('/v1/templates', { method: 'POST' });
    expect(post.status).toBe(404);
  });

  it('refuses a bad ?wait value', async () => {
    const res = await api.call('/v1/renders?wait=soon', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ templateId: 'reference' }),
    });
    expect(res.status).toBe(400);
    expect((await res.json()).issues).toEqual([{ path: 'wait', message: expect.any(String) }]);
  });
});
