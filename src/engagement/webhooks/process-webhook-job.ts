import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import { AppError, isAppError } from '../../errors/index.js';
import type { JobLike } from '../../queue/index.js';
import type { LookupAll } from '../../render/index.js';
import { pinWebhookUrl, type PinnedWebhookUrl, type WebhookUrlPolicy } from './check-webhook-url.js';
import { parseRetryAfter } from './parse-retry-after.js';
import { postWebhook, type WebhookErrorClass } from './post-webhook.js';
import { signWebhook } from './sign-webhook.js';
import { pushWebhookDeadLetter } from './webhook-dead-letters.js';
import { webhookJobDataSchema, webhookMessageType, type WebhookEvent, type WebhookJobData, type WebhookJobResult } from './webhook-job.schema.js';
import { activeSecrets, createWebhookRegistry } from './webhook-registry.js';
import { buildSegmentBatch, segmentAuthorization } from './segment-batch.js';
import type { StoredWebhookEndpoint } from './webhook-endpoint.schema.js';
import type { EngagementEvent } from '../engagement-event.schema.js';
import { readWebhookStats, recordWebhookFailure, recordWebhookSuccess } from './webhook-stats.js';
import { withoutErasedRecipients } from './scrub-webhook-deliveries.js';

/** One delivery attempt, for metrics (the Prometheus side counts these). */
export interface WebhookDeliveryOutcome {
  endpointId: string;
  ok: boolean;
  /** HTTP status, when the receiver answered. */
  status?: number;
  /** 1 for the first attempt. */
  attempt: number;
  durationMs: number;
  /** Failures only: what went wrong (`http`, `timeout`, `network`, `redirect`, `forbidden`, ...). */
  errorClass?: string;
  /** Failures only: true when no retry is left (dead-lettered or the endpoint disabled). */
  final?: boolean;
}

/** What the webhook worker is built from. */
export interface WebhookWorkerDeps {
  redis: Redis;
  policy: WebhookUrlPolicy;
  /** Delays between attempts (the backoff). Default 5 s ... 10 h. */
  retryScheduleMs?: readonly number[];
  /** An endpoint failing with no success for longer than this is disabled. Default 5 days. */
  disableAfterMs?: number;
  /** Budget of one request. Default 10 s. */
  timeoutMs?: number;
  /** Bytes of a receiver's answer read at most. Default 64 KiB. */
  maxResponseBytes?: number;
  /** Dead letters kept at most. Default 10,000. */
  deadLetterCap?: number;
  lookup?: LookupAll;
  log?: Logger;
  /** Called after every attempt that was made (not for skipped jobs). Must not throw. */
  onDelivery?: (outcome: WebhookDeliveryOutcome) => void;
  now?: () => number;
  userAgent?: string;
}

const VERSION = '1';

/**
 * The request of one attempt. Standard Webhooks: `{type, events}` signed
 * with every active secret under the message's `webhook-id`. A CDP
 * destination: the Segment `batch` body (each event's `messageId` derived
 * from its id, the same on every attempt), with the newest write key as
 * Basic auth. Null when a CDP destination maps none of the events.
 */
function buildRequest(endpoint: StoredWebhookEndpoint, events: WebhookEvent[], messageId: string, nowMs: number): { body: string; headers: Record<string, string> } | null {
  const secrets = activeSecrets(endpoint, nowMs).map((s) => s.secret);
  const type = webhookMessageType(events[0]!);
  if (endpoint.format === 'segment') {
    // A CDP maps a recipient's engagement events only: data-spine and campaign lifecycle events are never sent to it.
    const body = type === 'engagement.batch' ? buildSegmentBatch(events as EngagementEvent[], endpoint.mapping ?? {}, new Date(nowMs), VERSION) : null;
    return body === null ? null : { body, headers: { authorization: segmentAuthorization(secrets[0]!) } };
  }
  // One kind per message (buildWebhookJobs): `engagement.batch`, `spine.batch`, or `campaign.completed`.
  const body = JSON.stringify({ type, events });
  return { body, headers: { ...signWebhook(secrets, messageId, Math.floor(nowMs / 1000), body) } };
}


/** Statuses that say "try later": everything else in 4xx is the receiver refusing this message for good. */
const RETRYABLE_4XX = new Set([408, 429]);

interface Failure {
  status: number | null;
  errorClass: WebhookErrorClass;
  message: string;
  /** Whether this failure, by itself, allows another attempt. */
  retry: boolean;
  retryAfterMs?: number;
  disableReason?: string;
}

/**
 * Delivers one webhook job: loads the endpoint, re-checks its URL (DNS
 * included: it may have changed since registration), signs the body with
 * every active secret and POSTs it to the vetted address. Success and
 * failure are recorded on the endpoint; a failure then throws an AppError
 * whose `retryable` steers BullMQ (false: UnrecoverableError, no retry) and
 * whose `details.retryAfterMs` steers the backoff. A message that will not
 * be tried again goes to the dead letters, where replay finds it.
 */
export async function processWebhookJob(deps: WebhookWorkerDeps, job: JobLike): Promise<WebhookJobResult> {
  const now = deps.now ?? Date.now;
  const registry = createWebhookRegistry(deps.redis, { policy: deps.policy, lookup: deps.lookup, now });
  const parsed = webhookJobDataSchema.parse(job.data as WebhookJobData);
  // Recipients erased since the job was queued are never sent (and never dead-lettered).
  const data = { ...parsed, events: await withoutErasedRecipients(deps.redis, parsed.events) };
  const attempt = job.attemptsMade + 1;
  const lastAttempt = attempt >= job.attempts;
  const log = deps.log?.child({ endpointId: data.endpointId, messageId: data.messageId, attempt });

  if (data.events.length === 0) {
    log?.info('every recipient of this message was erased: nothing sent');
    return { delivered: false, skipped: 'recipients_erased' };
  }
  const endpoint = await registry.load(data.endpointId);
  if (!endpoint) {
    log?.info('endpoint deleted: message dropped');
    return { delivered: false, skipped: 'endpoint_deleted' };
  }
  const deadLetter = (f: Pick<Failure, 'status' | 'errorClass' | 'message'>) =>
    pushWebhookDeadLetter(
      deps.redis,
      { endpointId: data.endpointId, messageId: data.messageId, events: data.events, attempts: attempt, status: f.status, errorClass: f.errorClass, message: f.message, at: now() },
      deps.deadLetterCap,
    );
  if (!endpoint.enabled) {
    // Kept for replay once the endpoint is enabled again.
    await deadLetter({ status: null, errorClass: 'endpoint_disabled', message: endpoint.disabledReason ?? 'endpoint disabled' });
    log?.info('endpoint disabled: message dead-lettered');
    return { delivered: false, skipped: 'endpoint_disabled' };
  }

  const started = performance.now();
  let host = '';
  let shownUrl = '';
  const fail = async (failure: Failure, durationMs: number): Promise<never> => {
    const at = now();
    // The failure run started at the first failure since the last success (this one when none is recorded yet).
    const failingSince = (await readWebhookStats(deps.redis, data.endpointId)).failingSince ?? at;
    let disableReason = failure.disableReason;
    const disableAfterMs = deps.disableAfterMs ?? 5 * 86_400_000;
    if (!disableReason && at - failingSince > disableAfterMs) {
      disableReason = `failing continuously since ${new Date(failingSince).toISOString()} (over ${Math.round(disableAfterMs / 1000)} s)`;
    }
    const willRetry = failure.retry && !lastAttempt && !disableReason;
    await recordWebhookFailure(deps.redis, {
      endpointId: data.endpointId, host, url: shownUrl, messageId: data.messageId, events: data.events.length, attempt,
      status: failure.status, errorClass: disableReason && !failure.disableReason ? 'failing_too_long' : failure.errorClass,
      message: failure.message, at, willRetry, state: willRetry ? 'retrying' : disableReason ? 'disabled' : 'dead',
    });
    if (disableReason) {
      await registry.disable(data.endpointId, disableReason);
      log?.warn({ reason: disableReason }, 'endpoint disabled');
    }
    deps.onDelivery?.({
      endpointId: data.endpointId,
      ok: false,
      ...(failure.status !== null ? { status: failure.status } : {}),
      attempt,
      durationMs,
      errorClass: failure.errorClass,
      final: !willRetry,
    });
    if (!willRetry) await deadLetter(failure);
    log?.warn({ host, status: failure.status, errorClass: failure.errorClass, willRetry }, 'delivery failed');
    throw new AppError('WEBHOOK_DELIVERY_FAILED', `webhook to ${host || 'endpoint'} failed (${failure.errorClass}${failure.status ? ` ${failure.status}` : ''}): ${failure.message}`, {
      retryable: willRetry,
      details: { endpointId: data.endpointId, status: failure.status, errorClass: failure.errorClass, ...(failure.retryAfterMs !== undefined ? { retryAfterMs: failure.retryAfterMs } : {}) },
    });
  };
  const elapsed = () => Math.round(performance.now() - started);

  let target: PinnedWebhookUrl;
  try {
    const url = new URL(endpoint.url);
    host = url.hostname;
    shownUrl = `${url.origin}${url.pathname}`;
    target = await pinWebhookUrl(endpoint.url, deps.policy, deps.lookup);
  } catch (err) {
    if (isAppError(err, 'WEBHOOK_URL_FORBIDDEN')) return fail({ status: null, errorClass: 'forbidden_address', message: String(err.details.reason ?? err.message), retry: false }, elapsed());
    if (isAppError(err, 'WEBHOOK_DELIVERY_FAILED')) return fail({ status: null, errorClass: 'dns', message: err.message, retry: true }, elapsed());
    throw err;
  }

  const request = buildRequest(endpoint, data.events, data.messageId, now());
  if (!request) {
    // A CDP destination whose mapping no longer names any of these events.
    log?.info('no event of the message is mapped: nothing sent');
    return { delivered: false, skipped: 'nothing_mapped' };
  }
  const result = await postWebhook(target, {
    headers: request.headers,
    body: request.body,
    timeoutMs: deps.timeoutMs ?? 10_000,
    maxResponseBytes: deps.maxResponseBytes ?? 64 * 1024,
    userAgent: deps.userAgent ?? `mastercut-webhooks/${VERSION}`,
  });
  const durationMs = elapsed();
  if (result.kind === 'error') return fail({ status: null, errorClass: result.errorClass, message: result.message, retry: true }, durationMs);

  const { status } = result;
  if (status >= 200 && status <= 299) {
    await recordWebhookSuccess(deps.redis, data.endpointId, now());
    deps.onDelivery?.({ endpointId: data.endpointId, ok: true, status, attempt, durationMs });
    log?.debug({ host, status }, 'delivered');
    return { delivered: true, status, attempt };
  }
  if (status >= 300 && status <= 399) {
    // Redirects are never followed: the target was not vetted, and a receiver that moved must be re-registered.
    return fail({ status, errorClass: 'redirect', message: `answered HTTP ${status} (redirects are not followed; register the final URL)`, retry: true }, durationMs);
  }
  if (status === 410) {
    return fail({ status, errorClass: 'http_status', message: 'answered 410 Gone', retry: false, disableReason: 'the receiver answered 410 Gone' }, durationMs);
  }
  if (status >= 400 && status <= 499 && !RETRYABLE_4XX.has(status)) {
    return fail({ status, errorClass: 'http_status', message: `answered HTTP ${status}: the receiver refused this message`, retry: false }, durationMs);
  }
  const retryAfterMs = status === 429 || status === 503 ? parseRetryAfter(result.retryAfter, now()) : null;
  return fail({ status, errorClass: 'http_status', message: `answered HTTP ${status}`, retry: true, ...(retryAfterMs !== null ? { retryAfterMs } : {}) }, durationMs);
}
