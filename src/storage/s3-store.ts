import { rm } from 'node:fs/promises';
import type { Readable } from 'node:stream';
import type { S3Client } from '@aws-sdk/client-s3';
import { AppError } from '../errors/index.js';
import { assertByteRange, resolveByteRange } from './byte-range.js';
import { assertObjectKey, assertObjectPrefix } from './object-key.js';
import { DEFAULT_CONTENT_TYPE } from './object-meta.js';
import type { ByteRange, ObjectInfo, ObjectStore, PutOptions } from './object-store.js';
import { assertPutOptions, isFileSource } from './put-options.js';
import { deleteEntryError, isS3InvalidRange, isS3NotFound, toStorageError } from './s3-errors.js';
import { assertPresignTtl, createS3ClientFor, resolveS3StoreOptions, type S3StoreOptions } from './s3-store-options.js';
import { loadPresigner, loadS3Sdk, type S3Sdk } from './s3-sdk.js';
import { uploadFile } from './s3-upload.js';
import { sliceStream } from './slice-stream.js';
import { hashLocalFile, spoolStream, type SpooledFile } from './spool-stream.js';

/** An ObjectStore in an S3 bucket (AWS or any S3-compatible server). */
export interface S3Store extends ObjectStore {
  readonly bucket: string;
  /** '' or the key prefix inside the bucket, ending with '/'. */
  readonly prefix: string;
  readonly serve: 'stream' | 'redirect';
}

/** What HeadObject and GetObject both answer. */
interface S3ObjectHeaders {
  ContentLength?: number;
  ContentType?: string;
  ETag?: string;
  LastModified?: Date;
  Metadata?: Record<string, string>;
}

const SHA256 = /^[0-9a-f]{64}$/;

/**
 * The ETag: the sha256 this store records at put (the same value the file
 * store uses, for the same bytes, whatever the upload path), else S3's own
 * ETag for objects written by other tools: quoted, and strong (an S3 ETag
 * changes whenever the bytes do).
 */
function etagOf(key: string, headers: S3ObjectHeaders): string {
  const sha = headers.Metadata?.sha256;
  if (sha && SHA256.test(sha)) return `"${sha}"`;
  const raw = headers.ETag?.replace(/^W\//, '').replace(/"/g, '');
  if (!raw) throw new AppError('INTERNAL', `S3 returned no ETag for ${key}`, { retryable: false });
  return `"${raw}"`;
}

function infoOf(key: string, headers: S3ObjectHeaders, size: number | undefined): ObjectInfo {
  return {
    key,
    size: size ?? headers.ContentLength ?? 0,
    contentType: headers.ContentType || DEFAULT_CONTENT_TYPE,
    etag: etagOf(key, headers),
    modifiedAt: headers.LastModified ?? new Date(),
  };
}

/** `bytes 10-19/1000` -> {start 10, end 19, size 1000}. */
function parseContentRange(value: string | undefined): { start: number; end: number; size: number } | undefined {
  const match = /^bytes (\d+)-(\d+)\/(\d+)$/.exec(value ?? '');
  return match ? { start: Number(match[1]), end: Number(match[2]), size: Number(match[3]) } : undefined;
}

/**
 * An ObjectStore on S3 with the file store's contract: same key rules, atomic
 * overwriting puts, missing objects as undefined/false, the sha256 of the
 * content as the ETag.
 *
 * A stream put is spooled to a private temp file first (hashing it on the
 * way), then sent as one PutObject, or multipart above a threshold, from that
 * file. Spooling is what lets the sha256 ride in the object's metadata (sent
 * before the body), gives PutObject its Content-Length, lets the SDK retry a
 * request with the same bytes, and means a failing source stream never starts
 * an upload. Local disk is needed for the largest object in flight.
 */
export function createS3Store(options: S3StoreOptions): S3Store {
  const resolved = resolveS3StoreOptions(options);
  const { bucket, prefix } = resolved;
  let ready: Promise<{ sdk: S3Sdk; client: S3Client }> | undefined;

  /** The SDK and the client, made on first use (see s3-sdk.ts); a failure is retried on the next call. */
  function connect(): Promise<{ sdk: S3Sdk; client: S3Client }> {
    ready ??= Promise.all([loadS3Sdk(), createS3ClientFor(options)])
      .then(([sdk, client]) => ({ sdk, client }))
      .catch((err: unknown) => {
        ready = undefined;
        throw err;
      });
    return ready;
  }

  function s3Key(key: string): string {
    assertObjectKey(key);
    return prefix + key;
  }

  async function head(key: string): Promise<ObjectInfo | undefined> {
    const Key = s3Key(key);
    const { sdk, client } = await connect();
    try {
      return infoOf(key, await client.send(new sdk.HeadObjectCommand({ Bucket: bucket, Key })), undefined);
    } catch (err) {
      if (isS3NotFound(err)) return undefined;
      throw toStorageError(err, 'head', key);
    }
  }

  async function get(key: string, range?: ByteRange): Promise<{ info: ObjectInfo; body: Readable } | undefined> {
    const Key = s3Key(key);
    if (range !== undefined) assertByteRange(range);
    const { sdk, client } = await connect();
    // Two tries: an unsatisfiable range is checked against the current size,
    // and the object may have been replaced between the two calls.
    for (let attempt = 0; attempt < 2; attempt++) {
      let out;
      try {
        out = await client.send(new sdk.GetObjectCommand({
          Bucket: bucket, Key, Range: range && `bytes=${range.start}-${range.end}`,
        }));
      } catch (err) {
        if (isS3NotFound(err)) return undefined;
        if (range === undefined || !isS3InvalidRange(err)) throw toStorageError(err, 'get', key);
        const current = await head(key);
        if (!current) return undefined;
        resolveByteRange(range, current.size); // throws the 416-shaped INVALID_ARGUMENT, with the size
        continue;
      }
      const body = out.Body as Readable;
      try {
        if (range === undefined) return { info: infoOf(key, out, undefined), body };
        // A server that ignores Range answers 200 with the whole object.
        const size = out.ContentRange === undefined ? out.ContentLength : parseContentRange(out.ContentRange)?.size;
        if (size === undefined) throw new AppError('INTERNAL', `S3 answered an unreadable Content-Range for ${key}`, { retryable: false });
        // Some servers answer a range of an empty object with 206 instead of 416.
        const expected = resolveByteRange(range, size);
        const served = parseContentRange(out.ContentRange) ?? { start: 0, end: size - 1 };
        if (served.start > expected.start || served.end < expected.end) {
          throw new AppError('INTERNAL', `S3 served bytes ${served.start}-${served.end} for ${expected.start}-${expected.end} of ${key}`, { retryable: false });
        }
        const exact = served.start === expected.start && served.end === expected.end;
        // Some S3-compatible servers widen a range (s3rver serves all of `bytes=0-0`): cut it to what was asked.
        const sliced = exact ? body : sliceStream(body, expected.start - served.start, expected.end - expected.start + 1);
        return { info: infoOf(key, out, size), body: sliced };
      } catch (err) {
        body.destroy();
        throw err;
      }
    }
    throw new AppError('STORAGE_UNAVAILABLE', `S3 get of ${key}: the object kept changing size`);
  }

  async function put(key: string, source: Readable | { file: string }, putOptions: PutOptions): Promise<ObjectInfo> {
    const Key = s3Key(key);
    assertPutOptions(putOptions);
    const { client } = await connect();
    const fromFile = isFileSource(source);
    const body: SpooledFile = fromFile ? await hashLocalFile(source.file) : await spoolStream(source, resolved.spoolDir);
    try {
      await uploadFile({
        client, bucket, key: Key, contentType: putOptions.contentType,
        multipartThresholdBytes: resolved.multipartThresholdBytes,
        partSizeBytes: resolved.partSizeBytes,
        partConcurrency: resolved.partConcurrency,
      }, body);
    } catch (err) {
      throw toStorageError(err, 'put', key);
    } finally {
      if (!fromFile) await rm(body.path, { force: true });
    }
    // Consumed on success, as the file store does (it moves the file in).
    if (fromFile) await rm(source.file, { force: true });
    // PutObject answers no Last-Modified; a HEAD could see a racing writer's object instead.
    return { key, size: body.size, contentType: putOptions.contentType, etag: `"${body.sha256}"`, modifiedAt: new Date() };
  }

  async function deleteOne(key: string): Promise<boolean> {
    // DeleteObject answers 204 whether or not the key existed, hence the HEAD.
    if (!(await head(key))) return false;
    const { sdk, client } = await connect();
    try {
      await client.send(new sdk.DeleteObjectCommand({ Bucket: bucket, Key: s3Key(key) }));
      return true;
    } catch (err) {
      throw toStorageError(err, 'delete', key);
    }
  }

  async function deletePrefix(keyPrefix: string): Promise<number> {
    assertObjectPrefix(keyPrefix);
    const Prefix = prefix + keyPrefix;
    const { sdk, client } = await connect();
    let count = 0;
    let ContinuationToken: string | undefined;
    try {
      do {
        // Pages of up to 1,000, the most one DeleteObjects takes. Deleting a
        // listed page does not disturb the next one: the token is a position in key order.
        const page = await client.send(new sdk.ListObjectsV2Command({ Bucket: bucket, Prefix, ContinuationToken, MaxKeys: resolved.deletePageSize }));
        const keys = (page.Contents ?? []).map((entry) => entry.Key).filter((k): k is string => !!k && k.startsWith(Prefix));
        if (keys.length > 0) {
          const out = await client.send(new sdk.DeleteObjectsCommand({
            Bucket: bucket, Delete: { Objects: keys.map((Key) => ({ Key })), Quiet: true },
          }));
          const failed = out.Errors ?? [];
          if (failed.length > 0) throw deleteEntryError(failed[0]!, 'deletePrefix', keyPrefix);
          count += keys.length;
        }
        ContinuationToken = page.IsTruncated ? page.NextContinuationToken : undefined;
      } while (ContinuationToken);
    } catch (err) {
      throw toStorageError(err, 'deletePrefix', keyPrefix);
    }
    return count;
  }

  async function presignedUrl(key: string, ttlSeconds = resolved.presignTtlSeconds): Promise<string> {
    const Key = s3Key(key);
    assertPresignTtl(ttlSeconds);
    const [{ sdk, client }, { getSignedUrl }] = await Promise.all([connect(), loadPresigner()]);
    try {
      return await getSignedUrl(client, new sdk.GetObjectCommand({ Bucket: bucket, Key }), { expiresIn: ttlSeconds });
    } catch (err) {
      throw toStorageError(err, 'presign', key);
    }
  }

  return {
    bucket,
    prefix,
    serve: resolved.serve,
    put,
    get,
    head,
    delete: deleteOne,
    deletePrefix,
    // Only present in redirect mode, so `store.presignedUrl` is the API's signal to answer 302.
    ...(resolved.serve === 'redirect' ? { presignedUrl } : {}),
  };
}
