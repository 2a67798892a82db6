import type { S3Client } from '@aws-sdk/client-s3';

/** The runtime of @aws-sdk/client-s3. */
export type S3Sdk = typeof import('@aws-sdk/client-s3');

let sdk: Promise<S3Sdk> | undefined;
let presigner: Promise<typeof import('@aws-sdk/s3-request-presigner')> | undefined;

/**
 * Loads the AWS SDK on first use: it adds about 0.3 s to the start of every
 * process that imports the storage domain, and most of them (CLI, file-store
 * deployments) never talk to S3. The import is cached by the module system;
 * this only keeps one promise.
 */
export function loadS3Sdk(): Promise<S3Sdk> {
  sdk ??= import('@aws-sdk/client-s3');
  return sdk;
}

export function loadPresigner(): Promise<typeof import('@aws-sdk/s3-request-presigner')> {
  presigner ??= import('@aws-sdk/s3-request-presigner');
  return presigner;
}

export type { S3Client };
