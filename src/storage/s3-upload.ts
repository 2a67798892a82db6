import { open, readFile, type FileHandle } from 'node:fs/promises';
import type { S3Client } from '@aws-sdk/client-s3';
import { AppError } from '../errors/index.js';
import { loadS3Sdk, type S3Sdk } from './s3-sdk.js';
import type { SpooledFile } from './spool-stream.js';

/** S3's own limits: parts of 5 MiB at least (but the last), 10,000 parts at most. */
export const MIN_PART_BYTES = 5 * 1024 * 1024;
const MAX_PARTS = 10_000;

export interface S3UploadPlan {
  client: S3Client;
  bucket: string;
  /** Full S3 key (store prefix included). */
  key: string;
  contentType: string;
  /** Larger bodies go multipart; smaller ones in one PutObject. */
  multipartThresholdBytes: number;
  partSizeBytes: number;
  partConcurrency: number;
}

/**
 * User metadata stored with every object: the sha256 is the store's ETag,
 * the same for the same bytes whether the upload was single or multipart
 * (S3's own ETag is not), and the same as the file store's.
 */
function metadataFor(file: SpooledFile): Record<string, string> {
  return { sha256: file.sha256 };
}

async function readFully(handle: FileHandle, length: number, position: number): Promise<Buffer> {
  const buffer = Buffer.allocUnsafe(length);
  for (let done = 0; done < length; ) {
    const { bytesRead } = await handle.read(buffer, done, length - done, position + done);
    if (bytesRead === 0) throw new AppError('INVALID_ARGUMENT', 'The file to put shrank during the upload', { details: { reason: 'source changed' } });
    done += bytesRead;
  }
  return buffer;
}

/**
 * Bodies are Buffers, never streams: the SDK retries a failed request with the
 * same body object, and a half-read stream would be resent short. One part
 * per worker is in memory at a time (partConcurrency x partSizeBytes).
 */
async function uploadParts(sdk: S3Sdk, plan: S3UploadPlan, file: SpooledFile, uploadId: string): Promise<string[]> {
  const partSize = Math.max(plan.partSizeBytes, Math.ceil(file.size / MAX_PARTS));
  const count = Math.max(1, Math.ceil(file.size / partSize));
  const etags: string[] = new Array<string>(count);
  const handle = await open(file.path, 'r');
  let next = 0;
  let failed = false;
  const worker = async (): Promise<void> => {
    while (!failed && next < count) {
      const index = next++;
      const start = index * partSize;
      const body = await readFully(handle, Math.min(partSize, file.size - start), start);
      const out = await plan.client.send(new sdk.UploadPartCommand({
        Bucket: plan.bucket, Key: plan.key, UploadId: uploadId, PartNumber: index + 1, Body: body, ContentLength: body.length,
      }));
      if (!out.ETag) throw new AppError('INTERNAL', `S3 returned no ETag for part ${index + 1}`, { retryable: true });
      etags[index] = out.ETag;
    }
  };
  try {
    // allSettled, not all: no worker may still be sending when the upload is aborted.
    const results = await Promise.allSettled(
      Array.from({ length: Math.min(plan.partConcurrency, count) }, () => worker().catch((err: unknown) => {
        failed = true;
        throw err;
      })),
    );
    const rejected = results.find((result): result is PromiseRejectedResult => result.status === 'rejected');
    if (rejected) throw rejected.reason;
    return etags;
  } finally {
    await handle.close();
  }
}

async function uploadMultipart(sdk: S3Sdk, plan: S3UploadPlan, file: SpooledFile): Promise<void> {
  const { UploadId } = await plan.client.send(new sdk.CreateMultipartUploadCommand({
    Bucket: plan.bucket, Key: plan.key, ContentType: plan.contentType, Metadata: metadataFor(file),
  }));
  if (!UploadId) throw new AppError('INTERNAL', 'S3 returned no UploadId', { retryable: true });
  try {
    const etags = await uploadParts(sdk, plan, file, UploadId);
    // The object appears whole, at this one call, or not at all.
    await plan.client.send(new sdk.CompleteMultipartUploadCommand({
      Bucket: plan.bucket, Key: plan.key, UploadId,
      MultipartUpload: { Parts: etags.map((ETag, index) => ({ ETag, PartNumber: index + 1 })) },
    }));
  } catch (err) {
    // Best effort: a bucket lifecycle rule (AbortIncompleteMultipartUpload)
    // reclaims the parts of an upload whose abort failed too.
    await plan.client.send(new sdk.AbortMultipartUploadCommand({ Bucket: plan.bucket, Key: plan.key, UploadId })).catch(() => {});
    throw err;
  }
}

/**
 * Uploads a complete local file (hashed beforehand) under `plan.key`. Either
 * way the object is published atomically: S3 shows a PutObject or a completed
 * multipart upload whole, never in part.
 */
export async function uploadFile(plan: S3UploadPlan, file: SpooledFile): Promise<void> {
  const sdk = await loadS3Sdk();
  if (file.size > plan.multipartThresholdBytes) {
    await uploadMultipart(sdk, plan, file);
    return;
  }
  const body = await readFile(file.path);
  if (body.length !== file.size) {
    throw new AppError('INVALID_ARGUMENT', 'The file to put changed during the upload', { details: { reason: 'source changed' } });
  }
  await plan.client.send(new sdk.PutObjectCommand({
    Bucket: plan.bucket, Key: plan.key, Body: body, ContentLength: body.length, ContentType: plan.contentType, Metadata: metadataFor(file),
  }));
}
