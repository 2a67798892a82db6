import { execFileSync } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRemoteAssetFetcher } from '../../../src/render/remote-assets/index.js';
import { createTestEngine, repoRoot, type TestEngine } from '../../helpers/render-engine.js';
import { readPatternFrames } from '../../helpers/video-pattern.js';

const PATTERN = path.join(repoRoot, 'test/fixtures/compositions/video-pattern/public/pattern.mp4');
const MAX_BYTES = 100_000;

let dir: string;
let server: Server;
let port: number;
let engine: TestEngine;

/** A local https server standing in for a CDN; names resolve through a fake DNS. */
beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'mastercut-video-remote-'));
  execFileSync('openssl', [
    'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes',
    '-keyout', path.join(dir, 'key.pem'), '-out', path.join(dir, 'cert.pem'), '-days', '1',
    '-subj', '/CN=cdn.test', '-addext', 'subjectAltName=DNS:cdn.test,DNS:evil.test',
  ], { stdio: 'ignore' });
  const cert = await readFile(path.join(dir, 'cert.pem'));
  const pattern = await readFile(PATTERN);
  server = createServer({ key: await readFile(path.join(dir, 'key.pem')), cert }, (req, res) => {
    const send = (type: string, body: Buffer) => res.writeHead(200, { 'content-type': type, 'content-length': body.length }).end(body);
    switch (new URL(req.url ?? '/', 'https://cdn.test').pathname) {
      case '/clip.mp4':
        return send('video/mp4', pattern);
      case '/huge.mp4':
        return send('video/mp4', Buffer.concat([pattern, Buffer.alloc(MAX_BYTES)]));
      case '/page.mp4':
        return send('video/mp4', Buffer.from('<!doctype html><script>alert(1)</script>'));
      case '/picture.png':
        return send('image/png', Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), Buffer.alloc(64)]));
      default:
        return void res.writeHead(404).end();
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as AddressInfo).port;
  const fetcher = createRemoteAssetFetcher(
    { lookup: async (host) => [{ address: host === 'cdn.test' ? '127.0.0.1' : '10.0.0.5', family: 4 }] },
    { cacheDir: path.join(dir, 'assets'), ca: cert, allowPrivateAddresses: ['127.0.0.1'], allowedPorts: null, maxBytes: MAX_BYTES },
  );
  engine = await createTestEngine({ poolSize: 1, fixtures: true, remoteImages: fetcher });
});
afterAll(async () => {
  await engine?.close();
  server?.closeAllConnections();
  await new Promise((resolve) => server?.close(resolve));
  await rm(dir, { recursive: true, force: true });
});

const render = (name: string, src: string) =>
  engine.renderVideo({ templateId: 'video-pattern', props: { src, endAt: 20 }, out: path.join(dir, `${name}.mp4`), frames: { start: 0, end: 19 } });

describe('<Video> from an https URL', () => {
  it('is fetched through the remote-asset guards and shown frame-exact', async () => {
    const result = await render('remote', `https://cdn.test:${port}/clip.mp4?customer=someone`);
    expect(await readPatternFrames(result.outPath)).toEqual(Array.from({ length: 20 }, (_, n) => n));
  });

  it.each([
    ['a file over the size limit', 'huge.mp4', 'ASSET_TOO_LARGE'],
    ['HTML served as video/mp4', 'page.mp4', 'ASSET_BAD_TYPE'],
    ['an image URL', 'picture.png', 'ASSET_BAD_TYPE'],
  ])('refuses %s (%s)', async (_what, file, code) => {
    const err = await render(file, `https://cdn.test:${port}/${file}?email=someone`).catch((e: unknown) => e);
    expect(err).toMatchObject({ code });
    expect((err as Error).message).toContain('cdn.test');
    expect((err as Error).message).not.toContain('someone');
  });

  it('refuses a host that resolves to a private address, after DNS', async () => {
    const err = await render('evil', `https://evil.test:${port}/clip.mp4`).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'ASSET_FORBIDDEN' });
  });
});
