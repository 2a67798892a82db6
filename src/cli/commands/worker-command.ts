import { parseArgs } from 'node:util';
import type { EvictionCheckMode } from '../../queue/index.js';
import type { RenderWorkerProcessOptions } from '../../../workers/render.js';
import type { TranscodeWorkerProcessOptions } from '../../../workers/transcode.js';
import type { WebhookWorkerProcessOptions } from '../../../workers/webhooks.js';
import { usageOf } from '../command-help.js';
import { usageError } from '../run-cli.js';

const usage = usageOf('worker');

/** `mastercut worker <kind>`: starts a worker process (render, transcode or webhooks). */
export async function workerCommand(argv: string[]): Promise<number> {
  const [kind, ...rest] = argv;
  if (kind === 'webhooks') {
    const options = parseWebhookWorkerArgs(rest);
    const { runWebhookWorker } = await import('../../../workers/webhooks.js');
    return runWebhookWorker(options);
  }
  if (kind === 'transcode') {
    const options = parseTranscodeWorkerArgs(rest);
    const { runTranscodeWorker } = await import('../../../workers/transcode.js');
    return runTranscodeWorker(options);
  }
  if (kind !== 'render') throw usageError(`${kind ? `unknown worker "${kind}"` : 'missing worker kind'}\n${usage}`);
  const options = parseRenderWorkerArgs(rest);
  // Loaded lazily: the worker pulls in the renderer, which `--help` does not need.
  const { runRenderWorker } = await import('../../../workers/render.js');
  return runRenderWorker(options);
}

/** Parses the flags of `mastercut worker transcode` (also those of `workers/transcode.ts` run directly). */
export function parseTranscodeWorkerArgs(args: string[]): TranscodeWorkerProcessOptions {
  const { values } = parseArgs({
    args,
    options: {
      ...COMMON_OPTIONS,
      'gpu-concurrency': { type: 'string' },
      'cpu-concurrency': { type: 'string' },
      encoders: { type: 'string' },
    },
  });
  const encoders = values.encoders;
  if (encoders !== undefined && !['auto', 'cpu', 'nvidia', 'vaapi'].includes(encoders)) {
    throw usageError('--encoders must be auto, cpu, nvidia or vaapi');
  }
  return {
    ...commonWorkerOptions(values),
    gpuConcurrency: int(values['gpu-concurrency'], '--gpu-concurrency', 0, 64),
    cpuConcurrency: int(values['cpu-concurrency'], '--cpu-concurrency', 0, 64),
    encoders: encoders as TranscodeWorkerProcessOptions['encoders'],
  };
}

/** Parses the flags of `mastercut worker webhooks` (also those of `workers/webhooks.ts` run directly). */
export function parseWebhookWorkerArgs(args: string[]): WebhookWorkerProcessOptions {
  const { values } = parseArgs({ args, options: { ...COMMON_OPTIONS, concurrency: { type: 'string', short: 'c' } } });
  return { ...commonWorkerOptions(values), concurrency: int(values.concurrency, '--concurrency', 1, 1_000) };
}

/** Parses the flags of `mastercut worker render` (also those of `workers/render.ts` run directly). */
export function parseRenderWorkerArgs(args: string[]): RenderWorkerProcessOptions {
  const { values } = parseArgs({ args, options: { ...COMMON_OPTIONS, concurrency: { type: 'string', short: 'c' } } });
  return { ...commonWorkerOptions(values), concurrency: int(values.concurrency, '--concurrency', 1, 64) };
}

const COMMON_OPTIONS = {
  'grace-ms': { type: 'string' },
  'eviction-check': { type: 'string' },
  'lock-duration-ms': { type: 'string' },
  'stalled-interval-ms': { type: 'string' },
  'work-dir': { type: 'string' },
  queue: { type: 'string' },
  'keep-completed-s': { type: 'string' },
  'keep-failed-s': { type: 'string' },
  'metrics-port': { type: 'string' },
} as const;

function commonWorkerOptions(values: Partial<Record<keyof typeof COMMON_OPTIONS, string>>) {
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
      failedRetentionSeconds: int(values['keep-failed-s'], '--keep-failed-s', 0, 31_536_000),
    },
  };
}

function int(value: string | undefined, flag: string, min: number, max: number): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < min || n > max) throw usageError(`${flag} must be an integer from ${min} to ${max}`);
  return n;
}
