/** The flags of the render worker process, and the options they map onto. */
import { parseArgs } from 'node:util';
import { COMMON_OPTIONS, commonWorkerOptions, int, type CommonWorkerOptions } from './worker-args.js';

/** Settings of one worker process; the CLI flags map onto these. */
export interface RenderWorkerProcessOptions extends CommonWorkerOptions {
  /** Jobs (and browsers) at once. Default 1. */
  concurrency?: number;
  /** How often expired finished jobs are removed (they hold personal data). Default 5 min. */
  sweepIntervalMs?: number;
}

/** Parses the flags of `mastercut worker render` (also those of `workers/render.ts` run directly). */
export function parseRenderWorkerArgs(args: string[]): RenderWorkerProcessOptions {
  const { values } = parseArgs({ args, options: { ...COMMON_OPTIONS, concurrency: { type: 'string', short: 'c' } } });
  return { ...commonWorkerOptions(values), concurrency: int(values.concurrency, '--concurrency', 1, 64) };
}
