import { AppError, isAppError } from '../errors/index.js';

/** The parts of an AWS SDK v3 service error we read; network errors have no `$metadata.httpStatusCode`. */
interface SdkErrorShape {
  name?: string;
  code?: string;
  message?: string;
  $metadata?: { httpStatusCode?: number; requestId?: string; attempts?: number };
}

function shape(err: unknown): SdkErrorShape {
  return typeof err === 'object' && err !== null ? (err as SdkErrorShape) : {};
}

/**
 * What of an SDK error may travel on as `cause`: SDK errors carry the raw
 * request and response (`$response`), signed Authorization header included,
 * and a cause ends up in logs.
 */
function safeCause(err: unknown): Error {
  const { name = 'Error', code, message = '', $metadata } = shape(err);
  const cause = new Error(`${name}${code && code !== name ? ` (${code})` : ''}: ${message}`);
  cause.name = name;
  return Object.assign(cause, {
    code,
    $metadata: $metadata && { httpStatusCode: $metadata.httpStatusCode, requestId: $metadata.requestId, attempts: $metadata.attempts },
  });
}

/** The HTTP status S3 answered, or undefined when no answer came (network, timeout, DNS). */
export function s3Status(err: unknown): number | undefined {
  return shape(err).$metadata?.httpStatusCode;
}

/**
 * A missing object. NoSuchBucket is deliberately not "missing": it is a
 * deployment mistake that must surface, not a cache miss that triggers renders.
 */
export function isS3NotFound(err: unknown): boolean {
  const { name } = shape(err);
  return s3Status(err) === 404 && (name === 'NotFound' || name === 'NoSuchKey');
}

export function isS3InvalidRange(err: unknown): boolean {
  return s3Status(err) === 416 || shape(err).name === 'InvalidRange';
}

/**
 * Errors that retrying the same request will not fix: the bucket, region,
 * credentials or policy are wrong. S3 answers 403 (not 404) for a missing key
 * when the role lacks s3:ListBucket, so that grant is part of the setup.
 */
const MISCONFIGURED = new Set([
  'AccessDenied',
  'InvalidAccessKeyId',
  'SignatureDoesNotMatch',
  'NoSuchBucket',
  'PermanentRedirect',
  'AuthorizationHeaderMalformed',
  'InvalidBucketName',
  'AllAccessDisabled',
]);

/** S3 names for "try again": throttling and request timeouts (which S3 sends as 400). */
const TRANSIENT = new Set(['SlowDown', 'ServiceUnavailable', 'RequestTimeout', 'InternalError', 'Throttling']);

/**
 * Maps an S3 or network failure to an AppError:
 * - no HTTP answer, 5xx, 429 or a throttling code: STORAGE_UNAVAILABLE (503, retryable);
 * - credentials, bucket or region problems (any 403): CONFIG_INVALID (not retryable);
 * - anything else: INTERNAL, not retryable (a request S3 refused will be refused again).
 * The SDK has already retried transient failures by the time we see them.
 */
export function toStorageError(err: unknown, operation: string, key?: string): AppError {
  if (isAppError(err)) return err;
  const status = s3Status(err);
  const name = shape(err).name ?? shape(err).code ?? 'Error';
  const what = `S3 ${operation}${key === undefined ? '' : ` of ${key}`} failed: ${name}${status ? ` (${status})` : ''}`;
  const details = { operation, s3Code: name, s3Status: status };
  const cause = safeCause(err);
  if (status === undefined || status >= 500 || status === 429 || TRANSIENT.has(name)) {
    return new AppError('STORAGE_UNAVAILABLE', what, { cause, details });
  }
  if (status === 403 || MISCONFIGURED.has(name)) {
    return new AppError('CONFIG_INVALID', what, { cause, details });
  }
  return new AppError('INTERNAL', what, { cause, details, retryable: false });
}

/** An error entry of a DeleteObjects answer, mapped like a thrown error. */
export function deleteEntryError(entry: { Code?: string; Key?: string }, operation: string, key: string): AppError {
  const status = entry.Code === 'AccessDenied' ? 403 : 500;
  return toStorageError({ name: entry.Code ?? 'InternalError', $metadata: { httpStatusCode: status } }, operation, key);
}
