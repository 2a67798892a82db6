import { errorCodes, type ErrorCode } from './error-codes.js';

export interface AppErrorOptions {
  /** Extra, non-personal context (field paths, frame numbers, labels). */
  details?: Record<string, unknown>;
  cause?: unknown;
  /** Override the registry's retryability for this one instance. */
  retryable?: boolean;
}

/**
 * The one error class of mastercut. `message` is for operators (it may name
 * templates, frames, paths); `publicMessage` is safe to send to a client.
 */
export class AppError extends Error {
  readonly code: ErrorCode;
  readonly httpStatus: number;
  readonly retryable: boolean;
  readonly publicMessage: string;
  readonly details: Record<string, unknown>;

  constructor(code: ErrorCode, message: string, options: AppErrorOptions = {}) {
    super(message, { cause: options.cause });
    this.name = 'AppError';
    const entry = errorCodes[code];
    this.code = code;
    this.httpStatus = entry.httpStatus;
    this.retryable = options.retryable ?? entry.retryable;
    this.publicMessage = entry.publicMessage;
    this.details = options.details ?? {};
  }
}

/** Cancellation is not a failure: callers check the class, never the message. */
export class CancelledError extends Error {
  constructor(reason = 'cancelled') {
    super(reason);
    this.name = 'CancelledError';
  }
}

export function isAppError(err: unknown, code?: ErrorCode): err is AppError {
  return err instanceof AppError && (code === undefined || err.code === code);
}

/** Throws CancelledError when the signal has fired. */
export function throwIfAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw new CancelledError(String(signal.reason ?? 'cancelled'));
}
