import { AppError, CancelledError, isAppError } from './app-error.js';

/** What a command returns: an exit code (0 on success). */
export type Command = (argv: string[]) => Promise<number>;

/**
 * Runs one command with the CLI's error contract: an AppError prints its
 * code and operator message, cancellation exits 130, anything else prints a
 * stack trace (a bug, not a user mistake).
 */
export async function runCli(command: Command, argv: string[]): Promise<number> {
  try {
    return await command(argv);
  } catch (err) {
    if (err instanceof CancelledError) {
      process.stderr.write('\ncancelled\n');
      return 130;
    }
    if (isAppError(err)) {
      process.stderr.write(`\nerror [${err.code}]: ${err.message}\n`);
      return err.code === 'INVALID_ARGUMENT' ? 2 : 1;
    }
    process.stderr.write(`\nunexpected error: ${(err as Error).stack ?? String(err)}\n`);
    return 1;
  }
}

export function usageError(message: string): AppError {
  return new AppError('INVALID_ARGUMENT', message);
}
