/**
 * The flags every worker process shares (`mastercut worker <kind>` and
 * `workers/<kind>.ts` run directly parse the same way).
 */
import type { EvictionCheckMode, RenderJobOptionsInput } from '../src/queue/index.js';
import { usageError } from '../src/errors/index.js';

/** What every worker process takes (the flags below map onto these). */
export interface CommonWorkerOptions {
  /** How long active jobs may finish after SIGTERM before they are put back. Default WORKER_GRACE_MS. */
  graceMs?: number;
  lockDurationMs?: number;
  stalledIntervalMs?: number;
  /** Redis maxmemory-policy check at start. Default refuse. */
  evictionCheck?: EvictionCheckMode;
  /** Where work files are written before they enter the store. Default <tmp>/mastercut-work. */
  workDir?: string;
  queueName?: string;
  jobOptions?: RenderJobOptionsInput;
  /** Operations port (/metrics, /healthz, /readyz); default METRICS_PORT; 0 picks a free port. */
  metricsPort?: number;
}

export const COMMON_OPTIONS = {
  'grace-ms': { type: 'string' },
  'eviction-check': { type: 'string' },
  'lock-duration-ms': { type: 'string' },
  'stalled-interval-ms': { type: 'string' },
  'work-dir': { type: 'string' },
  queue: { type: 'string' },
  'keep-completed-s': { type: 'string' },
  'keep-completed-count': { type: 'string' },
  'keep-failed-s': { type: 'string' },
  'metrics-port': { type: 'string' },
} as const;

/** Reads the shared flags into the options every worker takes. */
export function commonWorkerOptions(values: Partial<Record<keyof typeof COMMON_OPTIONS, string>>): CommonWorkerOptions {
  const evictionCheck = values['eviction-check'];
  if (evictionCheck !== undefined && evictionCheck !== 'warn' && evictionCheck !== 'refuse') {
    throw usageError('--eviction-check must be warn or refuse');
  }
  return {
    graceMs: int(values['grace-ms'], '--grace-ms', 0, 86_400_000),
    evictionCheck: evictionCheck as EvictionCheckMode | undefined,
    lockDurationMs: int(values['lock-duration-ms'], '--lock-duration-ms', 500, 3_600_000),
    stalledIntervalMs: int(values['stalled-interval-ms'], '--stalled-interval-ms', 200, 3_600_000),
    workDir: values['work-dir'],
    queueName: values.queue,
    metricsPort: int(values['metrics-port'], '--metrics-port', 0, 65_535),
    // Attempts and backoff are set by producers when they add a job; the
    // worker only applies retention (how long finished jobs stay in Redis).
    jobOptions: {
      completedRetentionSeconds: int(values['keep-completed-s'], '--keep-completed-s', 0, 31_536_000),
      completedRetentionCount: int(values['keep-completed-count'], '--keep-completed-count', 0, 10_000_000),
      failedRetentionSeconds: int(values['keep-failed-s'], '--keep-failed-s', 0, 31_536_000),
    },
  };
}

/** An integer flag within bounds, or undefined when not given. */
export function int(value: string | undefined, flag: string, min: number, max: number): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < min || n > max) throw usageError(`${flag} must be an integer from ${min} to ${max}`);
  return n;
}

/**
 * The fields of `value` that are set: a flag left out must not hide the config's value when the two are
 * spread together (`{ ...config.jobs, ...definedOnly(options.jobOptions) }`).
 */
export function definedOnly<T extends object>(value: T | undefined): Partial<T> {
  return Object.fromEntries(Object.entries(value ?? {}).filter(([, v]) => v !== undefined)) as Partial<T>;
}
