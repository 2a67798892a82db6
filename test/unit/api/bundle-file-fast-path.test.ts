import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chooseBundleEncoding, createFastPath, type FastPath } from '../../../src/api/fast-path/index.js';

/**
 * Landing-page bundle files answered by the fast path from memory: the
 * encoding Accept-Encoding prefers (brotli, gzip, none), immutable, an ETag
 * per encoding and 304, HEAD; `warm` loads `player.js` before any request;
 * anything not a current bundle's script goes to Express (here a stand-in
 * that answers 418, so a test sees which one answered).
 */
const VERSION = 'abcdef0123456789';
const PLAYER = `export default {${'"frame":1,'.repeat(4000)}};\n`;
let dir: string;
let server: http.Server;
let fastPath: FastPath;
let base: string;
let buildCalls = 0;

interface Got {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
}

function get(urlPath: string, headers: Record<string, string> = {}, method = 'GET'): Promise<Got> {
  return new Promise((resolve, reject) => {
    const req = http.request(`${base}${urlPath}`, { method, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body: Buffer.concat(chunks) }));
    });
    req.on('error', reject);
    req.end();
  });
}

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'mc-bundle-files-'));
  await mkdir(path.join(dir, 'static'));
  await writeFile(path.join(dir, 'player.js'), PLAYER);
  await writeFile(path.join(dir, 'bundle.js'), 'window.full = true;\n');
  await writeFile(path.join(dir, 'picture.png'), 'png');
  const registry = {
    bundle: async (id: string) => {
      buildCalls++;
      if (id !== 'reference' && id !== 'other') throw new Error('unknown template');
      return { templateId: id, version: VERSION, dir };
    },
  };
  fastPath = createFastPath({ store: { get: async () => undefined }, logger: pino({ level: 'silent' }), registry });
  server = http.createServer(fastPath.wrap((_req, res) => res.writeHead(418).end('express')));
  server.listen(0, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  fastPath?.close();
  server?.closeAllConnections();
  await new Promise((resolve) => server?.close(resolve));
  await rm(dir, { recursive: true, force: true });
});

const player = `/b/reference/${VERSION}/player.js`;

describe('fast path: landing bundle files from memory', () => {
  it('warms player.js before any request, then answers it with brotli, gzip or none as asked', async () => {
    await fastPath.bundles!.warm(['reference', 'missing']);
    expect(fastPath.bundles!.stats().files).toBe(1);

    const br = await get(player, { 'accept-encoding': 'gzip, deflate, br' });
    expect(br.status).toBe(200);
    expect(br.headers['content-encoding']).toBe('br');
    expect(br.headers['content-type']).toBe('text/javascript; charset=utf-8');
    expect(br.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    expect(br.headers['vary']).toBe('Accept-Encoding');
    expect(br.headers['x-content-type-options']).toBe('nosniff');
    expect(Number(br.headers['content-length'])).toBe(br.body.length);
    expect(br.body.length).toBeLessThan(PLAYER.length / 10);
    expect(brotliDecompressSync(br.body).toString()).toBe(PLAYER);

    const gz = await get(player, { 'accept-encoding': 'gzip' });
    expect(gz.headers['content-encoding']).toBe('gzip');
    expect(gunzipSync(gz.body).toString()).toBe(PLAYER);

    const plain = await get(player);
    expect(plain.headers['content-encoding']).toBeUndefined();
    expect(plain.body.toString()).toBe(PLAYER);

    // One ETag per encoding: a cache never mixes them up.
    expect(new Set([br.headers.etag, gz.headers.etag, plain.headers.etag]).size).toBe(3);
    expect(fastPath.bundles!.stats().hits).toBe(3);
  });

  it('answers 304 to a matching If-None-Match, and HEAD without a body', async () => {
    const first = await get(player, { 'accept-encoding': 'br' });
    const again = await get(player, { 'accept-encoding': 'br', 'if-none-match': first.headers.etag! });
    expect(again.status).toBe(304);
    expect(again.body.length).toBe(0);
    expect(again.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    // Another encoding's tag does not match this one.
    expect((await get(player, { 'accept-encoding': 'gzip', 'if-none-match': first.headers.etag! })).status).toBe(200);
    const head = await get(player, { 'accept-encoding': 'br' }, 'HEAD');
    expect(head.status).toBe(200);
    expect(head.headers['content-length']).toBe(first.headers['content-length']);
    expect(head.body.length).toBe(0);
  });

  it('leaves a first request to Express and holds the file from then on', async () => {
    const full = `/b/reference/${VERSION}/bundle.js`;
    expect((await get(full)).status).toBe(418);
    await expect.poll(async () => (await get(full, { 'accept-encoding': 'gzip' })).headers['content-encoding']).toBe('gzip');
  });

  it('never holds another version, an unknown template, a static file or a path outside the bundle', async () => {
    const paths = [
      `/b/reference/${'0'.repeat(16)}/player.js`,
      `/b/unknown/${VERSION}/player.js`,
      `/b/reference/${VERSION}/picture.png`,
      `/b/reference/${VERSION}/static/player.js`,
      `/b/reference/${VERSION}/..%2fplayer.js`,
      `/b/reference/${VERSION}/nothing.js`,
    ];
    for (let round = 0; round < 3; round++) {
      for (const p of paths) expect((await get(p)).status, p).toBe(418);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    expect(fastPath.bundles!.stats().files).toBe(2);
  });
});

describe('chooseBundleEncoding', () => {
  it.each([
    [undefined, 'identity'],
    ['', 'identity'],
    ['gzip, deflate, br, zstd', 'br'],
    ['gzip', 'gzip'],
    ['br;q=0, gzip', 'gzip'],
    ['*', 'br'],
    ['*;q=0, identity', 'identity'],
    ['deflate', 'identity'],
    ['GZIP;q=0.5', 'gzip'],
  ] as const)('%s -> %s', (header, expected) => {
    expect(chooseBundleEncoding(header)).toBe(expected);
  });
});
