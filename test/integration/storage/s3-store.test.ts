import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import { inspect } from 'node:util';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { isAppError } from '../../../src/errors/index.js';
import { createS3Store, type S3Store, type S3StoreOptions } from '../../../src/storage/index.js';
import { bytes, describeObjectStore, readAll, sha256 } from '../../helpers/object-store-suite.js';
import { startTestS3, type TestS3Server } from '../../helpers/s3-test-server.js';

let s3: TestS3Server;
beforeAll(async () => {
  s3 = await startTestS3();
});
afterAll(async () => {
  await s3?.stop();
});

function storeOptions(extra: Partial<S3StoreOptions> = {}): S3StoreOptions {
  return { bucket: s3.bucket, endpoint: s3.endpoint, forcePathStyle: true, credentials: s3.credentials, ...extra };
}

/** Each contract test gets its own prefix; the root store wipes it afterwards. */
function prefixedStore(extra: Partial<S3StoreOptions> = {}) {
  return async () => {
    const prefix = `suite-${randomBytes(4).toString('hex')}/`;
    const store = createS3Store(storeOptions({ prefix, ...extra }));
    return { store, cleanup: async () => void (await createS3Store(storeOptions()).deletePrefix(prefix)) };
  };
}

describeObjectStore('s3 store (s3rver)', prefixedStore());
// The same contract with every non-empty body sent as a multipart upload.
describeObjectStore('s3 store, multipart uploads (s3rver)', prefixedStore({ multipartThresholdBytes: 0, partSizeBytes: 5 * 1024 * 1024 }));

async function codeOf(work: () => unknown): Promise<unknown> {
  try {
    await work();
  } catch (err) {
    return isAppError(err) ? { code: err.code, retryable: err.retryable } : err;
  }
  return 'resolved';
}

/** A loopback port with nothing listening on it. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

describe('s3 store specifics', () => {
  let root: S3Store;
  let scratch: string;

  beforeEach(async () => {
    root = createS3Store(storeOptions());
    scratch = await mkdtemp(join(tmpdir(), 'mc-s3-store-'));
  });
  afterEach(async () => {
    for (const prefix of ['tenant-a/', 'tenant-b/', 'raw/', 'many', 'mp/', 'sp/']) await root.deletePrefix(prefix);
    await rm(scratch, { recursive: true, force: true });
  });

  it('keeps stores with different prefixes apart in one bucket', async () => {
    const a = createS3Store(storeOptions({ prefix: 'tenant-a' }));
    const b = createS3Store(storeOptions({ prefix: 'tenant-b/' }));
    expect(a.prefix).toBe('tenant-a/');
    await a.put('renders/x.mp4', Readable.from([bytes(1000, 1)]), { contentType: 'video/mp4' });
    await b.put('renders/x.mp4', Readable.from([bytes(2000, 2)]), { contentType: 'video/mp4' });
    expect((await readAll((await a.get('renders/x.mp4'))!.body)).equals(bytes(1000, 1))).toBe(true);
    expect((await readAll((await b.get('renders/x.mp4'))!.body)).equals(bytes(2000, 2))).toBe(true);
    // The prefix is a literal part of the S3 key.
    expect((await root.head('tenant-a/renders/x.mp4'))!.size).toBe(1000);
    expect(await a.deletePrefix('renders/')).toBe(1);
    expect(await a.head('renders/x.mp4')).toBeUndefined();
    expect((await b.head('renders/x.mp4'))!.size).toBe(2000);
    expect(await a.delete('renders/x.mp4')).toBe(false);
    expect(await b.delete('renders/x.mp4')).toBe(true);
  });

  it('redirect mode: a presigned URL serves the bytes (and ranges) to a plain fetch, then expires', async () => {
    const redirect = createS3Store(storeOptions({ prefix: 'tenant-a/', serve: 'redirect', presignTtlSeconds: 60 }));
    expect(createS3Store(storeOptions()).presignedUrl).toBeUndefined();
    const data = bytes(300_000, 5);
    await redirect.put('renders/p.mp4', Readable.from([data]), { contentType: 'video/mp4' });
    const url = (await redirect.presignedUrl!('renders/p.mp4'))!;
    expect(url.startsWith(`${s3.endpoint}/${s3.bucket}/tenant-a/renders/p.mp4?`)).toBe(true);
    expect(new URL(url).searchParams.get('X-Amz-Expires')).toBe('60');
    const whole = await fetch(url);
    expect(whole.status).toBe(200);
    expect(whole.headers.get('content-type')).toBe('video/mp4');
    expect(Buffer.from(await whole.arrayBuffer()).equals(data)).toBe(true);
    const part = await fetch(url, { headers: { Range: 'bytes=1000-1999' } });
    expect(part.status).toBe(206);
    expect(Buffer.from(await part.arrayBuffer()).equals(data.subarray(1000, 2000))).toBe(true);

    const short = (await redirect.presignedUrl!('renders/p.mp4', 1))!;
    await sleep(2100);
    const expired = await fetch(short);
    expect(expired.status).toBe(403);
    await expired.arrayBuffer();
    expect(await codeOf(() => redirect.presignedUrl!('../x'))).toMatchObject({ code: 'INVALID_KEY' });
    expect(await codeOf(() => redirect.presignedUrl!('renders/p.mp4', 700_000))).toMatchObject({ code: 'INVALID_ARGUMENT' });
  });

  it('sends Range to S3 and reports the whole size, also inside a multipart object', async () => {
    const store = createS3Store(storeOptions({ prefix: 'mp/', multipartThresholdBytes: 0, partSizeBytes: 5 * 1024 * 1024 }));
    const data = bytes(12 * 1024 * 1024 + 7, 8);
    const before = (await s3.requests()).length;
    const put = await store.put('big.mp4', Readable.from([data]), { contentType: 'video/mp4' });
    const sent = (await s3.requests()).slice(before);
    expect(sent.filter((line) => line.startsWith('PUT /mastercut-test/mp/big.mp4?partNumber&uploadId'))).toHaveLength(3);
    expect(sent.some((line) => line.startsWith('POST /mastercut-test/mp/big.mp4?uploadId'))).toBe(true);
    // The ETag is the content hash: the same as a single PutObject of the same bytes would give.
    expect(put.etag).toBe(`"${sha256(data)}"`);
    const start = 5 * 1024 * 1024 - 10;
    const got = await store.get('big.mp4', { start, end: start + 99 });
    expect(got!.info).toMatchObject({ size: data.length, etag: put.etag, contentType: 'video/mp4' });
    expect((await readAll(got!.body)).equals(data.subarray(start, start + 100))).toBe(true);
  });

  it("uses S3's own ETag, quoted, for an object written by another tool", async () => {
    const client = new S3Client({ region: 'us-east-1', endpoint: s3.endpoint, forcePathStyle: true, credentials: s3.credentials });
    await client.send(new PutObjectCommand({ Bucket: s3.bucket, Key: 'raw/x', Body: Buffer.from('hello'), ContentType: 'text/plain' }));
    const info = await root.head('raw/x');
    expect(info).toMatchObject({ size: 5, contentType: 'text/plain', etag: '"5d41402abc4b2a76b9719d911017c592"' });
    client.destroy();
  });

  it('deletes a prefix page by page (ListObjectsV2 continuation + DeleteObjects)', async () => {
    const paged = createS3Store(storeOptions({ deletePageSize: 10 }));
    const keys = Array.from({ length: 25 }, (_, i) => `many/${String(i).padStart(2, '0')}`);
    await Promise.all(keys.map((key) => paged.put(key, Readable.from([bytes(4, 1)]), { contentType: 'text/plain' })));
    await paged.put('many-not/x', Readable.from([bytes(4, 1)]), { contentType: 'text/plain' });
    const before = (await s3.requests()).length;
    expect(await paged.deletePrefix('many/')).toBe(25);
    const sent = (await s3.requests()).slice(before);
    expect(sent.filter((line) => /^GET \/mastercut-test\/?\?.*list-type/.test(line))).toHaveLength(3);
    expect(sent.filter((line) => /^POST \/mastercut-test\/?\?delete/.test(line))).toHaveLength(3);
    expect(sent.filter((line) => line.includes('continuation-token'))).toHaveLength(2);
    expect(await paged.deletePrefix('many/')).toBe(0);
    expect(await paged.head('many-not/x')).toBeDefined();
    expect(await paged.deletePrefix('many')).toBe(1);
  });

  it('spools stream bodies privately and leaves no temp file, after success or failure', async () => {
    const store = createS3Store(storeOptions({ prefix: 'sp/', spoolDir: scratch }));
    await store.put('a', Readable.from([bytes(10_000)]), { contentType: 'text/plain' });
    const failing = Readable.from((async function* () {
      yield bytes(10_000);
      throw new Error('upstream broke');
    })());
    await expect(store.put('b', failing, { contentType: 'text/plain' })).rejects.toThrow('upstream broke');
    expect(await readdir(scratch)).toEqual([]);
    expect(await store.head('b')).toBeUndefined();
  });

  it('consumes a local file on success only', async () => {
    const file = join(scratch, 'render.mp4');
    await writeFile(file, bytes(1000, 3));
    const down = createS3Store({ ...storeOptions(), endpoint: `http://127.0.0.1:${await closedPort()}` });
    expect(await codeOf(() => down.put('sp/x', { file }, { contentType: 'video/mp4' }))).toEqual({ code: 'STORAGE_UNAVAILABLE', retryable: true });
    expect(existsSync(file)).toBe(true);
    await root.put('sp/x', { file }, { contentType: 'video/mp4' });
    expect(existsSync(file)).toBe(false);
    expect(await codeOf(() => root.put('sp/y', { file: scratch }, { contentType: 'video/mp4' }))).toMatchObject({ code: 'INVALID_ARGUMENT' });
  });

  it('maps an unreachable server to STORAGE_UNAVAILABLE (retryable) on every call', async () => {
    const down = createS3Store({ ...storeOptions(), endpoint: `http://127.0.0.1:${await closedPort()}` });
    const unavailable = { code: 'STORAGE_UNAVAILABLE', retryable: true };
    expect(await codeOf(() => down.head('a/x'))).toEqual(unavailable);
    expect(await codeOf(() => down.get('a/x'))).toEqual(unavailable);
    expect(await codeOf(() => down.get('a/x', { start: 0, end: 1 }))).toEqual(unavailable);
    expect(await codeOf(() => down.put('a/x', Readable.from([bytes(10)]), { contentType: 'text/plain' }))).toEqual(unavailable);
    expect(await codeOf(() => down.delete('a/x'))).toEqual(unavailable);
    expect(await codeOf(() => down.deletePrefix('a/'))).toEqual(unavailable);
  });

  it('maps bad credentials and a missing bucket to CONFIG_INVALID (not retryable)', async () => {
    const misconfigured = { code: 'CONFIG_INVALID', retryable: false };
    const badKey = createS3Store(storeOptions({ credentials: { accessKeyId: 'WRONG', secretAccessKey: 'WRONG' } }));
    expect(await codeOf(() => badKey.head('a/x'))).toEqual(misconfigured);
    expect(await codeOf(() => badKey.get('a/x'))).toEqual(misconfigured);
    expect(await codeOf(() => badKey.put('a/x', Readable.from([bytes(10)]), { contentType: 'text/plain' }))).toEqual(misconfigured);
    // The error and its cause may be logged: no raw request (signed headers) in them.
    const err = (await badKey.get('a/x').then(() => undefined, (caught: unknown) => caught)) as Error;
    expect(inspect(err)).toContain('InvalidAccessKeyId');
    expect(err.cause).toMatchObject({ name: 'InvalidAccessKeyId', $metadata: { httpStatusCode: 403 } });
    expect(err.cause).not.toHaveProperty('$response');
    const noBucket = createS3Store(storeOptions({ bucket: 'no-such-bucket' }));
    expect(await codeOf(() => noBucket.put('a/x', Readable.from([bytes(10)]), { contentType: 'text/plain' }))).toEqual(misconfigured);
    expect(await codeOf(() => noBucket.get('a/x'))).toEqual(misconfigured);
    expect(await codeOf(() => noBucket.deletePrefix('a/'))).toEqual(misconfigured);
  });

  it('refuses bad options at creation with CONFIG_INVALID', () => {
    for (const bad of [{ bucket: 'Bad_Bucket' }, { prefix: '../x' }, { prefix: '/abs' }, { presignTtlSeconds: 0 }, { partSizeBytes: 1024 }, { serve: 'proxy' as 'stream' }]) {
      expect(() => createS3Store(storeOptions(bad)), JSON.stringify(bad)).toThrow(expect.objectContaining({ code: 'CONFIG_INVALID' }));
    }
  });
});
