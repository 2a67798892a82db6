export { errorCodes, type ErrorCode } from './error-codes.js';
export { AppError, CancelledError, isAppError, throwIfAborted, type AppErrorOptions } from './app-error.js';
