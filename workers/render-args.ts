/** The flags of the render worker process, and the options they map onto. */
import { parseArgs } from 'node:util';
import type { EvictionCheckMode, RenderJobOptionsInput } from '../src/queue/index.js';
import { COMMON_OPTIONS, commonWorkerOptions, int } from './worker-args.js';

/** Settings of one worker process; the CLI flags map onto these. */
export interface RenderWorkerProcessOptions {
  /** Jobs (and browsers) at once. Default 1. */
  concurrency?: number;
  /** How long active jobs may finish after SIGTERM before they are put back. Default 30 s. */
  graceMs?: number;
  lockDurationMs?: number;
  stalledIntervalMs?: number;
  /** Redis maxmemory-policy check at start. Default refuse. */
  evictionCheck?: EvictionCheckMode;
  /** Where renders are written before they enter the store. Default <tmp>/mastercut-work. */
  workDir?: string;
  queueName?: string;
  jobOptions?: RenderJobOptionsInput;
  /** How often expired finished jobs are removed (they hold personal data). Default 5 min. */
  sweepIntervalMs?: number;
  /** Operations port (/metrics, /healthz, /readyz); default METRICS_PORT; 0 picks a free port. */
  metricsPort?: number;
}

/** Parses the flags of `mastercut worker render` (also those of `workers/render.ts` run directly). */
export function parseRenderWorkerArgs(args: string[]): RenderWorkerProcessOptions {
  const { values } = parseArgs({ args, options: { ...COMMON_OPTIONS, concurrency: { type: 'string', short: 'c' } } });
  return { ...commonWorkerOptions(values), concurrency: int(values.concurrency, '--concurrency', 1, 64) };
}
