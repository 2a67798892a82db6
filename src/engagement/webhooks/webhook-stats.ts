import type { Redis } from 'ioredis';
import type { WebhookEndpointStats } from './webhook-endpoint.schema.js';
import { webhookKeys } from './webhook-keys.js';

/** One failed delivery attempt, as the dashboard lists it. No URL path or query (they may hold tokens). */
export interface WebhookFailureRecord {
  endpointId: string;
  /** The endpoint's host. */
  host: string;
  /** The endpoint's origin and path, never its query string (it may carry a token). */
  url: string;
  messageId: string;
  /** Events in the failed message. */
  events: number;
  attempt: number;
  /** HTTP status when the receiver answered. */
  status: number | null;
  errorClass: string;
  message: string;
  /** Epoch ms. */
  at: number;
  /** Whether the message will be tried again. */
  willRetry: boolean;
  /** `retrying` while attempts are due, `dead` once dead-lettered, `disabled` when this failure disabled the endpoint. */
  state: 'retrying' | 'dead' | 'disabled';
}

/** Most failures kept in the recent-failures list. */
export const RECENT_FAILURES_CAP = 1_000;

/** Reads one endpoint's delivery stats (zeros when it never delivered). */
export async function readWebhookStats(redis: Redis, endpointId: string): Promise<WebhookEndpointStats> {
  const h = await redis.hgetall(webhookKeys.stats(endpointId));
  const num = (v: string | undefined) => (v === undefined ? null : Number(v));
  return {
    lastSuccessAt: num(h.lastSuccessAt),
    lastFailure: h.lastFailureAt
      ? { at: Number(h.lastFailureAt), status: num(h.lastFailureStatus), errorClass: h.lastFailureClass ?? 'unknown', message: h.lastFailureMessage ?? '' }
      : null,
    consecutiveFailures: Number(h.consecutiveFailures ?? 0),
    failingSince: num(h.failingSince),
    delivered: Number(h.delivered ?? 0),
    failed: Number(h.failed ?? 0),
  };
}

/** A success ends the endpoint's failure run. */
export async function recordWebhookSuccess(redis: Redis, endpointId: string, at: number): Promise<void> {
  const key = webhookKeys.stats(endpointId);
  await redis.multi().hset(key, 'lastSuccessAt', String(at), 'consecutiveFailures', '0').hdel(key, 'failingSince').hincrby(key, 'delivered', 1).exec();
}

/**
 * Records a failed attempt on the endpoint (last failure, consecutive
 * count, start of the failure run) and in the capped recent-failures list.
 * Returns the start of the current failure run (epoch ms).
 */
export async function recordWebhookFailure(redis: Redis, failure: WebhookFailureRecord): Promise<{ failingSince: number; consecutiveFailures: number }> {
  const key = webhookKeys.stats(failure.endpointId);
  const results = await redis
    .multi()
    .hset(key, 'lastFailureAt', String(failure.at), 'lastFailureStatus', failure.status === null ? '' : String(failure.status), 'lastFailureClass', failure.errorClass, 'lastFailureMessage', failure.message.slice(0, 300))
    .hsetnx(key, 'failingSince', String(failure.at))
    .hincrby(key, 'consecutiveFailures', 1)
    .hincrby(key, 'failed', 1)
    .hget(key, 'failingSince')
    .lpush(webhookKeys.failures, JSON.stringify(failure))
    .ltrim(webhookKeys.failures, 0, RECENT_FAILURES_CAP - 1)
    .exec();
  const consecutiveFailures = Number(results?.[2]?.[1] ?? 1);
  const failingSince = Number(results?.[4]?.[1] ?? failure.at);
  return { failingSince, consecutiveFailures };
}

/**
 * The most recent delivery failures, newest first, for the dashboard
 * (optionally for one endpoint). `limit` defaults to 20, at most 1000.
 */
export async function listRecentWebhookFailures(redis: Redis, options: { limit?: number; endpointId?: string } = {}): Promise<WebhookFailureRecord[]> {
  const limit = Math.min(Math.max(options.limit ?? 20, 1), RECENT_FAILURES_CAP);
  const raw = await redis.lrange(webhookKeys.failures, 0, options.endpointId ? RECENT_FAILURES_CAP - 1 : limit - 1);
  const records = raw.map((r) => JSON.parse(r) as WebhookFailureRecord);
  return (options.endpointId ? records.filter((r) => r.endpointId === options.endpointId) : records).slice(0, limit);
}
