import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import type { LookupAddress } from 'node:dns';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AppError, CancelledError } from '../../../../src/errors/index.js';
import {
  createRemoteAssetFetcher,
  type LookupAll,
  type RemoteAssetOptions,
} from '../../../../src/render/remote-assets/index.js';

const PNG = Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), Buffer.alloc(64, 7)]);
const WEBP = Buffer.concat([Buffer.from('RIFF\x24\0\0\0WEBPVP8 ', 'latin1'), Buffer.alloc(32, 1)]);

/** A fake resolver: names map to address lists, and every call is recorded. */
function fakeLookup(table: Record<string, string[]>): LookupAll & { calls: string[] } {
  const calls: string[] = [];
  const fn = async (host: string): Promise<LookupAddress[]> => {
    calls.push(host);
    const addresses = table[host];
    if (!addresses) throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${host}`), { code: 'ENOTFOUND' });
    return addresses.map((address) => ({ address, family: address.includes(':') ? 6 : 4 }));
  };
  return Object.assign(fn, { calls });
}

async function refusal(promise: Promise<unknown>): Promise<AppError> {
  const err = await promise.then(
    () => {
      throw new Error('expected a refusal');
    },
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(AppError);
  return err as AppError;
}

let dir: string;
let ca: string;
let server: Server;
let port: number;
const hits = new Map<string, number>();

beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'mastercut-assets-'));
  // A throwaway self-signed certificate, trusted only through the fetcher's `ca` option.
  execFileSync('openssl', [
    'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes',
    '-keyout', path.join(dir, 'key.pem'), '-out', path.join(dir, 'cert.pem'), '-days', '1',
    '-subj', '/CN=img.test', '-addext', 'subjectAltName=DNS:img.test,DNS:evil.test',
  ], { stdio: 'ignore' });
  ca = readFileSync(path.join(dir, 'cert.pem'), 'utf8');
  server = createServer({ key: readFileSync(path.join(dir, 'key.pem')), cert: ca }, (req, res) => {
    const url = new URL(req.url ?? '/', 'https://img.test');
    hits.set(url.pathname, (hits.get(url.pathname) ?? 0) + 1);
    const send = (type: string, body: Buffer, extra: Record<string, string> = {}) => {
      res.writeHead(200, { 'content-type': type, 'content-length': body.length, ...extra }).end(body);
    };
    switch (url.pathname) {
      case '/a.png':
      case '/b.png':
        return send('image/png', PNG);
      case '/slow.png':
        return void setTimeout(() => send('image/png; charset=binary', PNG), 150);
      case '/pic.webp':
        return send('image/webp', WEBP);
      case '/big-declared.png':
        res.writeHead(200, { 'content-type': 'image/png', 'content-length': 5000 });
        return void res.write(PNG); // never finishes: the fetcher must not wait for it
      case '/big-chunked.png':
        res.writeHead(200, { 'content-type': 'image/png' });
        for (let i = 0; i < 10; i++) res.write(Buffer.concat([PNG, Buffer.alloc(500)]));
        return void res.end();
      case '/stall.png':
        res.writeHead(200, { 'content-type': 'image/png' });
        return void res.write(PNG.subarray(0, 16)); // headers and a few bytes, then silence
      case '/hang.png':
        return; // never answers at all
      case '/page.html':
        return send('text/html', Buffer.from('<!doctype html><p>hi'));
      case '/icon.svg':
        return send('image/svg+xml', Buffer.from('<svg xmlns="http://www.w3.org/2000/svg"><script>1</script></svg>'));
      case '/fake.png':
        return send('image/png', Buffer.from('<!doctype html><script>alert(1)</script>'));
      case '/missing.png':
        return void res.writeHead(404).end();
      case '/down.png':
        return void res.writeHead(503).end();
      case '/to-a':
        return void res.writeHead(302, { location: '/a.png?x=1' }).end();
      case '/to-private':
        return void res.writeHead(302, { location: `https://evil.test:${port}/a.png` }).end();
      case '/to-metadata':
        return void res.writeHead(301, { location: 'https://169.254.169.254/latest/meta-data/' }).end();
      case '/to-http':
        return void res.writeHead(302, { location: `http://img.test:${port}/a.png` }).end();
      case '/loop':
        return void res.writeHead(307, { location: `/loop?n=${Number(url.searchParams.get('n') ?? 0) + 1}` }).end();
      default:
        return void res.writeHead(404).end();
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as AddressInfo).port;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
  rmSync(dir, { recursive: true, force: true });
});

/** A fetcher against the local server: img.test is the one allowed private address. */
function localFetcher(overrides: Partial<RemoteAssetOptions> = {}, table: Record<string, string[]> = {}) {
  const lookup = fakeLookup({ 'img.test': ['127.0.0.1'], 'evil.test': ['10.0.0.5'], ...table });
  const cacheDir = mkdtempSync(path.join(dir, 'cache-'));
  const fetcher = createRemoteAssetFetcher(
    { lookup },
    { cacheDir, ca, allowPrivateAddresses: ['127.0.0.1'], allowedPorts: null, timeoutMs: 2000, ...overrides },
  );
  return { fetcher, lookup, cacheDir };
}

const at = (p: string) => `https://img.test:${port}${p}`;

describe('createRemoteAssetFetcher: refusals before any connection', () => {
  const lookup = fakeLookup({
    'internal.example': ['10.0.0.5'],
    'mixed.example': ['93.184.216.34', '10.0.0.5'],
    'mapped.example': ['::ffff:127.0.0.1'],
    'meta.example': ['169.254.169.254'],
    'ula.example': ['2606:4700::1111', 'fd00::1'],
  });
  const fetcher = createRemoteAssetFetcher({ lookup }, { cacheDir: path.join(tmpdir(), 'mastercut-never-written') });

  it.each([
    ['http://cdn.example.com/a.png', /scheme http:/],
    ['https://127.0.0.1/a.png', /127\.0\.0\.1.*loopback/],
    ['https://localhost/a.png', /localhost/],
    ['https://[::1]/a.png', /::1.*loopback/],
    ['https://internal.example/a.png?email=jane@example.com', /"internal\.example".*10\.0\.0\.5.*private/],
    ['https://mixed.example/a.png', /"mixed\.example".*10\.0\.0\.5.*private/],
    ['https://mapped.example/a.png', /IPv4-mapped.*loopback/],
    ['https://meta.example/latest/meta-data', /169\.254\.169\.254.*link-local/],
    ['https://ula.example/a.png', /fd00::1.*unique local/],
    ['https://user:pw@cdn.example.com/a.png', /credentials/],
  ])('refuses %s', async (url, why) => {
    const err = await refusal(fetcher.fetch(url));
    expect(err.code).toBe('ASSET_FORBIDDEN');
    expect(err.retryable).toBe(false);
    expect(err.message).toMatch(why);
    expect(err.message).not.toContain('jane');
  });

  it('does not even resolve hosts whose URL is refused up front', async () => {
    const before = lookup.calls.length;
    await refusal(fetcher.fetch('https://[::1]/a.png'));
    await refusal(fetcher.fetch('https://localhost/a.png'));
    expect(lookup.calls.length).toBe(before);
  });

  it('reports an unknown host as a non-retryable fetch failure', async () => {
    const err = await refusal(fetcher.fetch('https://nowhere.example/a.png'));
    expect(err.code).toBe('ASSET_FETCH_FAILED');
    expect(err.retryable).toBe(false);
  });
});

describe('createRemoteAssetFetcher: against a local https server', () => {
  it('fetches a PNG into the disk cache, then serves it from there', async () => {
    const { fetcher, lookup, cacheDir } = localFetcher();
    const first = await fetcher.fetch(at('/a.png'));
    expect(first).toMatchObject({ contentType: 'image/png', bytes: PNG.length, fromCache: false });
    expect(readFileSync(first.path).equals(PNG)).toBe(true);
    const key = createHash('sha256').update(at('/a.png')).digest('hex');
    expect(first.path).toBe(path.join(cacheDir, `${key}.bin`));
    expect(JSON.parse(readFileSync(path.join(cacheDir, `${key}.json`), 'utf8'))).toEqual({
      contentType: 'image/png',
      bytes: PNG.length,
    });
    // The connection used the vetted address: img.test is unknown to the system resolver.
    expect(lookup.calls).toEqual(['img.test']);

    const hitsBefore = hits.get('/a.png');
    const second = await fetcher.fetch(at('/a.png'));
    expect(second).toEqual({ ...first, fromCache: true });
    // A fresh fetcher over the same folder finds it too: the cache is on disk.
    const again = createRemoteAssetFetcher({ lookup }, { cacheDir, ca, allowPrivateAddresses: ['127.0.0.1'], allowedPorts: null });
    expect((await again.fetch(at('/a.png'))).fromCache).toBe(true);
    expect(hits.get('/a.png')).toBe(hitsBefore);
    expect(readdirSync(cacheDir).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });

  it('shares one download between concurrent fetches of one URL', async () => {
    const { fetcher } = localFetcher();
    const before = hits.get('/slow.png') ?? 0;
    const [a, b] = await Promise.all([fetcher.fetch(at('/slow.png')), fetcher.fetch(at('/slow.png'))]);
    expect(hits.get('/slow.png')).toBe(before + 1);
    expect(a.path).toBe(b.path);
    expect(a.contentType).toBe('image/png');
  });

  it('keeps a shared download going when only one of its waiters cancels', async () => {
    const { fetcher } = localFetcher();
    const controller = new AbortController();
    const cancelled = fetcher.fetch(at('/b.png?shared'), controller.signal);
    const kept = fetcher.fetch(at('/b.png?shared'));
    controller.abort();
    await expect(cancelled).rejects.toBeInstanceOf(CancelledError);
    expect((await kept).contentType).toBe('image/png');
  });

  it('accepts WebP and follows a redirect on the same host', async () => {
    const { fetcher } = localFetcher();
    expect((await fetcher.fetch(at('/pic.webp'))).contentType).toBe('image/webp');
    const viaRedirect = await fetcher.fetch(at('/to-a'));
    expect(readFileSync(viaRedirect.path).equals(PNG)).toBe(true);
  });

  it.each([
    ['/big-declared.png', /declares 5000 bytes/],
    ['/big-chunked.png', /sent more than the 1000-byte limit/],
  ])('refuses an oversize body (%s) and caches nothing', async (p, why) => {
    const { fetcher, cacheDir } = localFetcher({ maxBytes: 1000 });
    const started = Date.now();
    const err = await refusal(fetcher.fetch(at(p)));
    expect(err.code).toBe('ASSET_TOO_LARGE');
    expect(err.message).toMatch(why);
    // At once (the limit, or the 300 ms timeout), not whenever the server gives up: loose for a loaded machine.
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(readdirSync(cacheDir)).toEqual([]);
  });

  it.each(['/stall.png', '/hang.png'])('times out a slow server (%s) as a retryable failure', async (p) => {
    const { fetcher } = localFetcher({ timeoutMs: 300 });
    const started = Date.now();
    const err = await refusal(fetcher.fetch(at(p)));
    expect(err.code).toBe('ASSET_FETCH_FAILED');
    expect(err.retryable).toBe(true);
    expect(err.message).toMatch(/longer than 300 ms/);
    // At once (the limit, or the 300 ms timeout), not whenever the server gives up: loose for a loaded machine.
    expect(Date.now() - started).toBeLessThan(5_000);
  });

  it('stops on cancellation with CancelledError', async () => {
    const { fetcher } = localFetcher();
    const controller = new AbortController();
    const pending = fetcher.fetch(at('/stall.png'), controller.signal);
    setTimeout(() => controller.abort(), 50);
    await expect(pending).rejects.toBeInstanceOf(CancelledError);
  });

  it.each([
    ['/page.html', /type text\/html/],
    ['/icon.svg', /type image\/svg\+xml/],
    ['/fake.png', /declared image\/png but does not contain an allowed image/],
  ])('refuses %s as ASSET_BAD_TYPE', async (p, why) => {
    const { fetcher } = localFetcher();
    const err = await refusal(fetcher.fetch(at(p)));
    expect(err.code).toBe('ASSET_BAD_TYPE');
    expect(err.message).toMatch(why);
  });

  it('maps HTTP errors to ASSET_FETCH_FAILED, retryable only for server errors', async () => {
    const { fetcher } = localFetcher();
    const missing = await refusal(fetcher.fetch(at('/missing.png')));
    expect([missing.code, missing.retryable, missing.message]).toEqual(['ASSET_FETCH_FAILED', false, expect.stringMatching(/HTTP 404/)]);
    const down = await refusal(fetcher.fetch(at('/down.png')));
    expect([down.code, down.retryable]).toEqual(['ASSET_FETCH_FAILED', true]);
  });

  it('re-checks every redirect hop: an allowed first hop cannot lead to a private address', async () => {
    const { fetcher, lookup } = localFetcher();
    const err = await refusal(fetcher.fetch(at('/to-private')));
    expect(err.code).toBe('ASSET_FORBIDDEN');
    expect(err.message).toMatch(/"evil\.test".*10\.0\.0\.5/);
    expect(lookup.calls).toEqual(['img.test', 'evil.test']);
    expect((await refusal(fetcher.fetch(at('/to-metadata')))).message).toMatch(/169\.254\.169\.254.*link-local/);
    expect((await refusal(fetcher.fetch(at('/to-http')))).message).toMatch(/scheme http:/);
  });

  it('gives up after maxRedirects hops, and refuses redirects when it is 0', async () => {
    const { fetcher } = localFetcher();
    const before = hits.get('/loop') ?? 0;
    const err = await refusal(fetcher.fetch(at('/loop')));
    expect(err.message).toMatch(/redirected more than 3 times/);
    expect(hits.get('/loop')).toBe(before + 4);
    const strict = localFetcher({ maxRedirects: 0 }).fetcher;
    expect((await refusal(strict.fetch(at('/to-a')))).message).toMatch(/more than 0 times/);
  });

  it('refuses a certificate it does not trust', async () => {
    const { fetcher } = localFetcher({ ca: undefined });
    const err = await refusal(fetcher.fetch(at('/b.png')));
    expect(err.code).toBe('ASSET_FETCH_FAILED');
    expect(err.message).toMatch(/SELF_SIGNED|CERT/);
  });
});
