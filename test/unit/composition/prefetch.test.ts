import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPageRuntime } from '../../../src/composition/index.js';

let server: Server;
let base: string;
const requests: string[] = [];

beforeAll(async () => {
  server = createServer((req, res) => {
    requests.push(req.url!);
    if (req.url === '/missing.png') return void res.writeHead(404).end();
    res.writeHead(200, { 'content-type': 'application/octet-stream' }).end(Buffer.from('jingle-bytes'));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
});

describe('prefetch (the page runtime registry behind prefetch())', () => {
  it('downloads in the live player, hands out the copy, and frees it', async () => {
    const runtime = createPageRuntime();
    const src = `${base}/jingle.m4a`;
    const fetched = runtime.prefetches.add(src, { contentType: 'audio/mp4' });
    // The page has not mounted yet: nothing is downloaded before it is known to be a player.
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(requests).not.toContain('/jingle.m4a');
    expect(runtime.prefetches.resolve(src)).toBe(src);

    runtime.reset({ mode: 'player', delayRenderTimeoutMs: 1000 });
    const url = await fetched.waitUntilDone();
    expect(url).toMatch(/^blob:/);
    expect(runtime.prefetches.resolve(src)).toBe(url);
    const copy = await (await fetch(url)).blob();
    expect(copy.type).toBe('audio/mp4');
    expect(await copy.text()).toBe('jingle-bytes');

    fetched.free();
    expect(runtime.prefetches.resolve(src)).toBe(src);
  });

  it('gives a data: URL with method base64', async () => {
    const runtime = createPageRuntime();
    runtime.reset({ mode: 'player', delayRenderTimeoutMs: 1000 });
    const url = await runtime.prefetches.add(`${base}/logo.png`, { method: 'base64', contentType: 'image/png' }).waitUntilDone();
    expect(url).toBe(`data:image/png;base64,${Buffer.from('jingle-bytes').toString('base64')}`);
  });

  it('does nothing when rendering frames', async () => {
    const runtime = createPageRuntime();
    const before = requests.length;
    const fetched = runtime.prefetches.add(`${base}/render-only.png`);
    runtime.reset({ mode: 'render', delayRenderTimeoutMs: 1000 });
    expect(await fetched.waitUntilDone()).toBe(`${base}/render-only.png`);
    expect(requests.length).toBe(before);
  });

  it('rejects waitUntilDone when the download fails, and refuses bad arguments', async () => {
    const runtime = createPageRuntime();
    runtime.reset({ mode: 'player', delayRenderTimeoutMs: 1000 });
    await expect(runtime.prefetches.add(`${base}/missing.png`).waitUntilDone()).rejects.toThrow(/answered HTTP 404/);
    expect(() => runtime.prefetches.add('')).toThrow(/src must be/);
    // @ts-expect-error invalid on purpose
    expect(() => runtime.prefetches.add('a.png', { method: 'stream' })).toThrow(/method must be 'blob-url' or 'base64'/);
  });
});
