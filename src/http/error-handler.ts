import type { NextFunction, Request, Response } from 'express';
import type { Logger } from 'pino';
import { AppError } from '../errors/index.js';
import { toAppError, type RedisHealth } from './to-app-error.js';
import { getRequestId } from './request-id.js';

/** Codes whose `details.issues` ([{path, message}], never values) are shown to the client. */
// A 413 lists issues only where it says which bound (recipient profiles: their size and the limit).
const CODES_WITH_ISSUES = new Set(['INVALID_PROPS', 'INVALID_ARGUMENT', 'PAYLOAD_TOO_LARGE', 'PROFILE_INCOMPLETE']);

/**
 * The one error middleware: every failure becomes `{ code, message }` with
 * the registry's public message (plus `issues` for invalid props or request
 * fields). Operator detail, stacks and causes go to the log only, and 5xx
 * logs carry just names and messages: an ioredis error can hold the command
 * arguments, which are job data with personal data.
 */
export function errorHandler(logger: Logger, redis?: RedisHealth) {
  // Four parameters: that arity is how Express tells an error middleware apart.
  return (err: unknown, _req: Request, res: Response, _next: NextFunction): void => {
    const appError = toAppError(err, redis);
    if (res.headersSent) {
      // Too late for a JSON error (a stream broke mid-body): cut the connection
      // so the client sees a truncated response, not a silently short one.
      logFailure(logger, res, appError);
      res.destroy();
      return;
    }
    if (appError.httpStatus >= 500) logFailure(logger, res, appError);
    const answer = errorAnswer(appError);
    for (const [name, value] of Object.entries(answer.headers)) res.setHeader(name, value);
    res.status(answer.status).json(answer.body);
  };
}

/**
 * The answer to an error: its status, `{ code, message }` (plus `issues`
 * for invalid props or request fields) and Retry-After where a retry
 * helps. Shared with the listeners that answer before Express (minting).
 */
export function errorAnswer(appError: AppError): { status: number; headers: Record<string, string>; body: Record<string, unknown> } {
  const body: Record<string, unknown> = { code: appError.code, message: appError.publicMessage };
  const headers: Record<string, string> = {};
  const issues = appError.details.issues;
  if (CODES_WITH_ISSUES.has(appError.code) && Array.isArray(issues)) body.issues = issues;
  if (appError.code === 'REDIS_UNAVAILABLE' || appError.code === 'NOT_READY') headers['Retry-After'] = '2';
  const retryAfter = appError.details.retryAfterSeconds;
  if ((appError.code === 'RATE_LIMITED' || appError.code === 'RECIPIENT_SOURCE_UNAVAILABLE') && typeof retryAfter === 'number') headers['Retry-After'] = String(Math.max(1, Math.ceil(retryAfter)));
  return { status: appError.httpStatus, headers, body };
}

/** Logs a 5xx with names and messages only (see errorHandler); `res` or a request id names the request. */
export function logFailure(logger: Logger, res: Response | string, error: AppError): void {
  const cause = error.cause as { name?: unknown; message?: unknown; stack?: unknown } | undefined;
  logger.error(
    {
      reqId: typeof res === 'string' ? res : getRequestId(res),
      code: error.code,
      err: { message: error.message, stack: error.stack },
      cause: cause ? { name: String(cause.name), message: String(cause.message), stack: String(cause.stack) } : undefined,
    },
    'request error',
  );
}
