export { errorCodes, type ErrorCode } from './error-codes.js';
export { AppError, CancelledError, isAppError, throwIfAborted, type AppErrorOptions } from './app-error.js';
export { runCli, usageError, type Command } from './run-cli.js';
