import type { AddressInfo } from 'node:net';
import { Readable } from 'node:stream';
import express from 'express';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sendObject } from '../../../src/api/routes/output-routes.js';
import { createS3Store, type S3Store } from '../../../src/storage/index.js';
import { startTestS3, type TestS3Server } from '../../helpers/s3-test-server.js';

let s3: TestS3Server;
let server: ReturnType<express.Express['listen']>;
let base: string;

function storeWith(serve: 'stream' | 'redirect'): S3Store {
  return createS3Store({ bucket: s3.bucket, endpoint: s3.endpoint, forcePathStyle: true, credentials: s3.credentials, prefix: 'redirect-test/', serve });
}

beforeAll(async () => {
  s3 = await startTestS3();
  const app = express();
  for (const serve of ['stream', 'redirect'] as const) {
    const store = storeWith(serve);
    app.get(`/${serve}/:name`, async (req, res) => {
      const info = await store.head(`renders/${req.params.name}`);
      if (!info) return void res.status(404).end();
      await sendObject(store, `renders/${req.params.name}`, info, req, res);
    });
  }
  server = app.listen(0, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  await storeWith('stream').put('renders/clip.mp4', Readable.from([Buffer.from('not really a video, but bytes')]), { contentType: 'video/mp4' });
}, 60_000);

afterAll(async () => {
  server?.close();
  await s3?.stop();
});

describe('serving outputs from an S3 store', () => {
  it('redirect mode answers 302 to a presigned URL that serves the bytes, and is not cached as immutable', async () => {
    const res = await fetch(`${base}/redirect/clip.mp4`, { redirect: 'manual' });
    expect(res.status).toBe(302);
    expect(res.headers.get('cache-control')).toBe('private, max-age=60');
    const location = res.headers.get('location')!;
    expect(location).toContain('X-Amz-Signature=');
    const object = await fetch(location);
    expect(object.status).toBe(200);
    expect(await object.text()).toBe('not really a video, but bytes');
  });

  it('stream mode sends the bytes itself, with the immutable cache headers', async () => {
    const res = await fetch(`${base}/stream/clip.mp4`, { redirect: 'manual' });
    expect(res.status).toBe(200);
    expect(res.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
    expect(await res.text()).toBe('not really a video, but bytes');
  });
});
