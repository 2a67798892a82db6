import { tmpdir } from 'node:os';
import type { S3Client } from '@aws-sdk/client-s3';
import { AppError } from '../errors/index.js';
import { assertObjectPrefix } from './object-key.js';
import { loadS3Sdk } from './s3-sdk.js';
import { MIN_PART_BYTES } from './s3-upload.js';

export interface S3StoreOptions {
  bucket: string;
  /** Key prefix inside the bucket (`tenant-a/`): the store sees and deletes nothing outside it. */
  prefix?: string;
  /** AWS region; defaults to the SDK's chain (AWS_REGION, profile), or us-east-1 with an endpoint. */
  region?: string;
  /** An S3-compatible server, e.g. `http://127.0.0.1:9000`. */
  endpoint?: string;
  /** Path-style URLs (`host/bucket/key`), which most S3-compatible servers need. */
  forcePathStyle?: boolean;
  /** Static credentials; without them the SDK's default chain applies (env, IAM role, IRSA). */
  credentials?: { accessKeyId: string; secretAccessKey: string; sessionToken?: string };
  /** `redirect`: the store offers presignedUrl and the API answers 302 to it. Default `stream`. */
  serve?: 'stream' | 'redirect';
  /** Lifetime of presigned URLs, seconds (default 300; SigV4 allows up to 7 days). */
  presignTtlSeconds?: number;
  /** A ready client (its own region, endpoint and credentials); the options above that shape a client are then ignored. */
  client?: S3Client;
  /** Where stream bodies are spooled before upload (default: the OS temp dir). */
  spoolDir?: string;
  /** Bodies larger than this go multipart (default 16 MiB). */
  multipartThresholdBytes?: number;
  /** Multipart part size (default 8 MiB, at least 5 MiB). */
  partSizeBytes?: number;
  /** Parts in flight per upload (default 4). */
  partConcurrency?: number;
  /** Keys per ListObjectsV2 + DeleteObjects page in deletePrefix (default and S3 maximum 1,000). */
  deletePageSize?: number;
}

export interface ResolvedS3StoreOptions {
  bucket: string;
  /** '' or a prefix ending with '/'. */
  prefix: string;
  serve: 'stream' | 'redirect';
  presignTtlSeconds: number;
  spoolDir: string;
  multipartThresholdBytes: number;
  partSizeBytes: number;
  partConcurrency: number;
  deletePageSize: number;
}

/** SigV4 presigned URLs live 7 days at most. */
export const MAX_PRESIGN_TTL_SECONDS = 604_800;

/** S3 bucket naming rules (the DNS-compatible subset every provider accepts). */
const BUCKET = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;

function invalid(field: string, reason: string): AppError {
  return new AppError('CONFIG_INVALID', `S3 store option ${field} ${reason}`, { details: { field, reason } });
}

function integer(field: string, value: number | undefined, fallback: number, min: number, max: number): number {
  if (value === undefined) return fallback;
  if (!Number.isSafeInteger(value) || value < min || value > max) throw invalid(field, `must be an integer in ${min}..${max}`);
  return value;
}

export function assertPresignTtl(ttlSeconds: number): void {
  if (!Number.isSafeInteger(ttlSeconds) || ttlSeconds < 1 || ttlSeconds > MAX_PRESIGN_TTL_SECONDS) {
    throw new AppError('INVALID_ARGUMENT', `Presigned URL TTL must be 1..${MAX_PRESIGN_TTL_SECONDS} s`, {
      details: { reason: 'ttlSeconds' },
    });
  }
}

/** Validates the options once and fills in every default. Throws AppError('CONFIG_INVALID'). */
export function resolveS3StoreOptions(options: S3StoreOptions): ResolvedS3StoreOptions {
  if (typeof options.bucket !== 'string' || !BUCKET.test(options.bucket)) throw invalid('bucket', 'is not a valid bucket name');
  let prefix = options.prefix ?? '';
  if (prefix !== '') {
    try {
      assertObjectPrefix(prefix);
    } catch (err) {
      throw new AppError('CONFIG_INVALID', 'S3 store option prefix is not a valid key prefix', { cause: err, details: { field: 'prefix' } });
    }
    if (!prefix.endsWith('/')) prefix += '/';
  }
  const serve = options.serve ?? 'stream';
  if (serve !== 'stream' && serve !== 'redirect') throw invalid('serve', 'must be stream or redirect');
  const presignTtlSeconds = integer('presignTtlSeconds', options.presignTtlSeconds, 300, 1, MAX_PRESIGN_TTL_SECONDS);
  const partSizeBytes = integer('partSizeBytes', options.partSizeBytes, 8 * 1024 * 1024, MIN_PART_BYTES, 5 * 1024 ** 3);
  const multipartThresholdBytes = integer('multipartThresholdBytes', options.multipartThresholdBytes, 16 * 1024 * 1024, 0, 5 * 1024 ** 3);
  const partConcurrency = integer('partConcurrency', options.partConcurrency, 4, 1, 64);
  const deletePageSize = integer('deletePageSize', options.deletePageSize, 1000, 1, 1000);
  return {
    bucket: options.bucket, prefix, serve, presignTtlSeconds, spoolDir: options.spoolDir ?? tmpdir(),
    multipartThresholdBytes, partSizeBytes, partConcurrency, deletePageSize,
  };
}

/**
 * The S3 client for these options. With a custom endpoint, checksums are only
 * sent where S3 requires them: recent SDKs otherwise wrap stream bodies in
 * aws-chunked encoding with CRC trailers, which many S3-compatible servers
 * store verbatim or refuse.
 */
export async function createS3ClientFor(options: S3StoreOptions): Promise<S3Client> {
  if (options.client) return options.client;
  const { S3Client } = await loadS3Sdk();
  return new S3Client({
    region: options.region ?? (options.endpoint ? 'us-east-1' : undefined),
    endpoint: options.endpoint,
    forcePathStyle: options.forcePathStyle,
    credentials: options.credentials,
    ...(options.endpoint ? { requestChecksumCalculation: 'WHEN_REQUIRED', responseChecksumValidation: 'WHEN_REQUIRED' } as const : {}),
  });
}
