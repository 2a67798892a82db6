import { createJobWorker, type JobWorker, type JobWorkerOptions, queueNames } from '../../queue/index.js';
import { processWebhookJob, type WebhookWorkerDeps } from './process-webhook-job.js';
import { createWebhookBackoff, DEFAULT_WEBHOOK_RETRY_SCHEDULE_MS } from './webhook-backoff.js';
import type { WebhookJobData, WebhookJobResult } from './webhook-job.schema.js';

export type WebhookWorker = JobWorker<WebhookJobData, WebhookJobResult>;

export interface WebhookWorkerOptions extends Omit<JobWorkerOptions, 'backoffStrategy'> {
  /** A `Retry-After` longer than this is cut to it. Default 24 h. */
  maxRetryAfterMs?: number;
}

/**
 * The `webhooks` queue's worker: processWebhookJob behind the generic
 * adapter, with the retry schedule as BullMQ custom backoff. Deliveries
 * wait on the network, not the CPU: a concurrency of 16 or more is fine.
 */
export function createWebhookWorker(deps: WebhookWorkerDeps, options: WebhookWorkerOptions): WebhookWorker {
  const { maxRetryAfterMs, ...jobOptions } = options;
  return createJobWorker<WebhookJobData, WebhookJobResult>((job) => processWebhookJob(deps, job), {
    ...jobOptions,
    concurrency: options.concurrency ?? 16,
    queueName: options.queueName ?? queueNames.webhooks,
    backoffStrategy: createWebhookBackoff(deps.retryScheduleMs ?? DEFAULT_WEBHOOK_RETRY_SCHEDULE_MS, maxRetryAfterMs),
  });
}
