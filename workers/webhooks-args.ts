/** The flags of the webhooks worker process, and the options they map onto. */
import { parseArgs } from 'node:util';
import type { WebhookDeliveryOutcome } from '../src/engagement/index.js';
import { COMMON_OPTIONS, commonWorkerOptions, int, type CommonWorkerOptions } from './worker-args.js';

export interface WebhookWorkerProcessOptions extends CommonWorkerOptions {
  /** Deliveries in flight at once (default WEBHOOK_CONCURRENCY). */
  concurrency?: number;
  /** Called after every delivery attempt (metrics). */
  onDelivery?: (outcome: WebhookDeliveryOutcome) => void;
}

/** Parses the flags of `mastercut worker webhooks` (also those of `workers/webhooks.ts` run directly). */
export function parseWebhookWorkerArgs(args: string[]): WebhookWorkerProcessOptions {
  const { values } = parseArgs({ args, options: { ...COMMON_OPTIONS, concurrency: { type: 'string', short: 'c' } } });
  return { ...commonWorkerOptions(values), concurrency: int(values.concurrency, '--concurrency', 1, 1_000) };
}
