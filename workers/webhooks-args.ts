/** The flags of the webhooks worker process, and the options they map onto. */
import { parseArgs } from 'node:util';
import type { EvictionCheckMode, RenderJobOptionsInput } from '../src/queue/index.js';
import type { WebhookDeliveryOutcome } from '../src/engagement/index.js';
import { COMMON_OPTIONS, commonWorkerOptions, int } from './worker-args.js';

export interface WebhookWorkerProcessOptions {
  /** Deliveries in flight at once (default WEBHOOK_CONCURRENCY). */
  concurrency?: number;
  graceMs?: number;
  lockDurationMs?: number;
  stalledIntervalMs?: number;
  evictionCheck?: EvictionCheckMode;
  queueName?: string;
  jobOptions?: RenderJobOptionsInput;
  /** Called after every delivery attempt (metrics). */
  onDelivery?: (outcome: WebhookDeliveryOutcome) => void;
  /** Operations port (/metrics, /healthz, /readyz); default METRICS_PORT; 0 picks a free port. */
  metricsPort?: number;
}

/** Parses the flags of `mastercut worker webhooks` (also those of `workers/webhooks.ts` run directly). */
export function parseWebhookWorkerArgs(args: string[]): WebhookWorkerProcessOptions {
  const { values } = parseArgs({ args, options: { ...COMMON_OPTIONS, concurrency: { type: 'string', short: 'c' } } });
  return { ...commonWorkerOptions(values), concurrency: int(values.concurrency, '--concurrency', 1, 1_000) };
}
