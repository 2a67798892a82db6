import { describe, expect, it } from 'vitest';
import { AppError } from '../../../../src/errors/index.js';
import { createWebhookBackoff, DEFAULT_WEBHOOK_RETRY_SCHEDULE_MS, parseRetryAfter, webhookJobId, webhookJobOptions, webhookRetryDelay } from '../../../../src/engagement/webhooks/index.js';
import { loadConfig } from '../../../../src/config/index.js';

describe('retry schedule', () => {
  it('defaults to 5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 10 h: 8 attempts', () => {
    expect(DEFAULT_WEBHOOK_RETRY_SCHEDULE_MS).toEqual([5_000, 300_000, 1_800_000, 7_200_000, 18_000_000, 36_000_000, 36_000_000]);
    expect(webhookJobOptions().attempts).toBe(8);
    expect(webhookJobOptions({ retryScheduleMs: [10, 20] }).attempts).toBe(3);
    expect(loadConfig({}).webhooks.retryScheduleMs).toEqual(DEFAULT_WEBHOOK_RETRY_SCHEDULE_MS);
    expect(loadConfig({ WEBHOOK_RETRY_SCHEDULE_S: '1, 2,3' }).webhooks.retryScheduleMs).toEqual([1000, 2000, 3000]);
    expect(() => loadConfig({ WEBHOOK_RETRY_SCHEDULE_S: '1,,x' })).toThrowError(/WEBHOOK_RETRY_SCHEDULE_S/);
  });

  it('gives retry n the n-th entry, and repeats the last past the end', () => {
    const s = [100, 200, 300];
    expect([1, 2, 3, 4, 9].map((n) => webhookRetryDelay(s, n))).toEqual([100, 200, 300, 300, 300]);
  });

  it('BullMQ backoff: the schedule, or the Retry-After the error carries (capped)', () => {
    const backoff = createWebhookBackoff([100, 200], 60_000);
    expect(backoff(1, 'webhook-schedule', new Error('x'))).toBe(100);
    expect(backoff(2, 'webhook-schedule', new Error('x'))).toBe(200);
    const limited = new AppError('WEBHOOK_DELIVERY_FAILED', '429', { details: { retryAfterMs: 7_000 } });
    expect(backoff(1, 'webhook-schedule', limited)).toBe(7_000);
    const greedy = new AppError('WEBHOOK_DELIVERY_FAILED', '503', { details: { retryAfterMs: 10 * 86_400_000 } });
    expect(backoff(1, 'webhook-schedule', greedy)).toBe(60_000);
  });
});

describe('parseRetryAfter', () => {
  const now = Date.parse('2025-01-01T00:00:00Z');
  it('reads delay-seconds and HTTP dates', () => {
    expect(parseRetryAfter('120', now)).toBe(120_000);
    expect(parseRetryAfter(' 0 ', now)).toBe(0);
    expect(parseRetryAfter('Wed, 01 Jan 2025 00:00:30 GMT', now)).toBe(30_000);
    expect(parseRetryAfter(['5', '9'], now)).toBe(5_000);
  });
  it('a past date is 0; garbage and absence are null', () => {
    expect(parseRetryAfter('Tue, 31 Dec 2024 23:00:00 GMT', now)).toBe(0);
    expect(parseRetryAfter('-5', now)).toBeNull();
    expect(parseRetryAfter('1.5', now)).toBeNull();
    expect(parseRetryAfter('soon', now)).toBeNull();
    expect(parseRetryAfter(undefined, now)).toBeNull();
    expect(parseRetryAfter('', now)).toBeNull();
  });
});

describe('webhookJobId', () => {
  it('is the same for the same endpoint and event ids in any order, different otherwise', () => {
    const a = webhookJobId('ep_1', ['e1', 'e2']);
    expect(webhookJobId('ep_1', ['e2', 'e1'])).toBe(a);
    expect(webhookJobId('ep_2', ['e1', 'e2'])).not.toBe(a);
    expect(webhookJobId('ep_1', ['e1'])).not.toBe(a);
    expect(webhookJobId('ep_1', ['e1', 'e2'], 'nonce')).not.toBe(a);
    expect(a).toMatch(/^wh-[0-9a-f]{40}$/);
  });
});
