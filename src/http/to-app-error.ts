import { AppError, isAppError } from '../errors/index.js';

/** What the error middleware needs to know about the API's Redis connection. */
export interface RedisHealth {
  /** ioredis connection status: 'ready' when commands can run. */
  readonly status: string;
}

/** Socket error codes that mean "Redis could not be reached" rather than a bug. */
const CONNECTION_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENOTCONN']);

/** ioredis error classes (by name: ioredis does not export them from its entry point). */
const REDIS_ERROR_NAMES = new Set(['MaxRetriesPerRequestError', 'ClusterAllFailedError']);

/**
 * Turns anything thrown inside the API into an AppError, so one place
 * decides status codes and public messages:
 * - AppErrors pass through;
 * - body-parser errors become 413 PAYLOAD_TOO_LARGE, 415 UNSUPPORTED_ENCODING
 *   or 400 INVALID_ARGUMENT; a body that does not decompress (gzip, deflate,
 *   br) is 400 too (body-parser passes zlib's error on without a `type`);
 * - an undecodable URL becomes 400 INVALID_KEY;
 * - connection failures, or any failure while the Redis connection is not
 *   ready, become 503 REDIS_UNAVAILABLE (ioredis rejects offline commands
 *   with plain Errors, so the connection state is the reliable signal);
 * - everything else is 500 INTERNAL, with the original kept as `cause` for
 *   the logs and never shown to the client.
 */
export function toAppError(err: unknown, redis?: RedisHealth): AppError {
  if (isAppError(err)) return err;
  const e = (err ?? {}) as { type?: unknown; status?: unknown; code?: unknown; name?: unknown };
  // Only body-parser's (it sets a 4xx status on zlib's error): a zlib failure of our own is no client's fault.
  if (typeof e.status === 'number' && isDecompressionError(e)) return badCompressedBody(err);
  if (typeof e.type === 'string' && typeof e.status === 'number') {
    if (e.type === 'entity.too.large') return new AppError('PAYLOAD_TOO_LARGE', 'request body over the limit', { cause: err });
    if (e.type === 'encoding.unsupported') return new AppError('UNSUPPORTED_ENCODING', 'unsupported Content-Encoding', { cause: err });
    if (e.type === 'entity.parse.failed') {
      return new AppError('INVALID_ARGUMENT', 'malformed JSON body', {
        cause: err,
        details: { issues: [{ path: '(body)', message: 'malformed JSON' }] },
      });
    }
    if (e.status >= 400 && e.status < 500) {
      return new AppError('INVALID_ARGUMENT', `unreadable request body (${e.type})`, { cause: err });
    }
  }
  if (err instanceof URIError) return new AppError('INVALID_KEY', 'undecodable URL', { cause: err });
  const isConnectionError =
    (typeof e.code === 'string' && CONNECTION_CODES.has(e.code)) || (typeof e.name === 'string' && REDIS_ERROR_NAMES.has(e.name));
  if (isConnectionError || (redis && redis.status !== 'ready')) {
    return new AppError('REDIS_UNAVAILABLE', 'Redis is not reachable', { cause: err });
  }
  return new AppError('INTERNAL', err instanceof Error ? err.message : 'non-error thrown', { cause: err });
}

/** zlib's errors (`Z_DATA_ERROR`, `Z_BUF_ERROR`, brotli's `ERR__ERROR_FORMAT_...`): the body is not what its Content-Encoding says. */
export function isDecompressionError(err: { code?: unknown }): boolean {
  return typeof err.code === 'string' && /^(Z_[A-Z_]+|ERR__ERROR_[A-Z0-9_]+|ERR_BROTLI_[A-Z_]+)$/.test(err.code) && err.code !== 'Z_OK';
}

/** The answer to a body that does not decompress. */
export function badCompressedBody(cause?: unknown): AppError {
  const message = 'the body is not valid compressed data for its Content-Encoding (gzip, deflate or br)';
  return new AppError('INVALID_ARGUMENT', message, { cause, details: { issues: [{ path: '(body)', message }] } });
}
