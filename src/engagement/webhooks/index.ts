/**
 * CRM webhooks and CDP destinations: an endpoint registry in Redis, a
 * dispatcher (an EventSink of ingestion) that adds one `webhooks` job per
 * (batch, endpoint), a delivery worker that signs the Standard Webhooks way
 * (or sends Segment `batch` calls with a write key) and retries on a
 * schedule, dead letters and replay, and signature verification for
 * receivers.
 */
export { createWebhookDispatcher, webhookJobOptions, type WebhookDispatcher, type WebhookDispatcherDeps, type WebhookDispatcherOptions } from './create-webhook-dispatcher.js';
export { createWebhookWorker, type WebhookWorker, type WebhookWorkerOptions } from './create-webhook-worker.js';
export { processWebhookJob, type WebhookDeliveryOutcome, type WebhookWorkerDeps } from './process-webhook-job.js';
export { createWebhookRegistry, activeSecrets, loadWebhookEndpoint, loadAllWebhookEndpoints, type WebhookRegistry, type WebhookRegistryOptions, type EndpointWithSecret } from './webhook-registry.js';
export { replayWebhookEvents, type ReplayDeps, type ReplayOptions, type ReplayResult } from './replay-webhook-events.js';
export { listRecentWebhookFailures, readWebhookStats, type WebhookFailureRecord } from './webhook-stats.js';
export { listWebhookDeadLetters, type WebhookDeadLetter } from './webhook-dead-letters.js';
export { verifyWebhookSignature, type VerifyWebhookInput, type WebhookVerifyResult, type WebhookVerifyFailure } from './verify-webhook-signature.js';
export { signWebhook, computeWebhookSignature, type WebhookSignatureHeaders } from './sign-webhook.js';
export { generateWebhookSecret, decodeWebhookSecret, describeBadWebhookSecret, WEBHOOK_SECRET_PREFIX } from './webhook-secret.js';
export { parseRetryAfter } from './parse-retry-after.js';
export { createWebhookBackoff, webhookRetryDelay, DEFAULT_WEBHOOK_RETRY_SCHEDULE_MS, WEBHOOK_BACKOFF_TYPE } from './webhook-backoff.js';
export { checkWebhookUrl, pinWebhookUrl, type WebhookUrlPolicy, type PinnedWebhookUrl } from './check-webhook-url.js';
export { webhookJobId, webhookMessageId, webhookJobDataSchema, type WebhookEvent, type WebhookJobData, type WebhookJobResult } from './webhook-job.schema.js';
export { WEBHOOK_ENDPOINT_ID_PATTERN, WEBHOOK_FORMATS, segmentMappingSchema, type WebhookFormat, createWebhookInputSchema, updateWebhookInputSchema, replayInputSchema, type PublicWebhookEndpoint, type StoredWebhookEndpoint, type WebhookEndpointStats, type CreateWebhookInput, type UpdateWebhookInput, type ReplayInput } from './webhook-endpoint.schema.js';
export { webhookKeys } from './webhook-keys.js';
export { buildSegmentBatch, DEFAULT_SEGMENT_MAPPING, segmentAuthorization, segmentMessageId, SEGMENT_MAX_BATCH_BYTES, SEGMENT_MAX_MESSAGE_BYTES, type SegmentTrack } from './segment-batch.js';
export { scrubWebhookDeliveries, withoutErasedRecipients } from './scrub-webhook-deliveries.js';
