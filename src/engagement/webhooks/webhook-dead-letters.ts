import type { Redis } from 'ioredis';
import type { WebhookEvent } from '../engagement-event.schema.js';
import { webhookKeys } from './webhook-keys.js';

/** A delivery that will not be tried again: attempts exhausted, refused (4xx), or its endpoint disabled. */
export interface WebhookDeadLetter {
  endpointId: string;
  messageId: string;
  events: WebhookEvent[];
  attempts: number;
  status: number | null;
  errorClass: string;
  message: string;
  /** Epoch ms. */
  at: number;
}

/** Most dead letters kept (oldest dropped first). */
export const DEAD_LETTERS_CAP = 10_000;

export async function pushWebhookDeadLetter(redis: Redis, letter: WebhookDeadLetter, cap = DEAD_LETTERS_CAP): Promise<void> {
  await redis.multi().lpush(webhookKeys.deadLetters, JSON.stringify(letter)).ltrim(webhookKeys.deadLetters, 0, cap - 1).exec();
}

/** Dead letters, newest first, optionally of one endpoint. */
export async function listWebhookDeadLetters(redis: Redis, options: { endpointId?: string; limit?: number } = {}): Promise<WebhookDeadLetter[]> {
  const limit = Math.min(Math.max(options.limit ?? 100, 1), DEAD_LETTERS_CAP);
  const raw = await redis.lrange(webhookKeys.deadLetters, 0, options.endpointId ? -1 : limit - 1);
  const letters = raw.map((r) => JSON.parse(r) as WebhookDeadLetter);
  return (options.endpointId ? letters.filter((l) => l.endpointId === options.endpointId) : letters).slice(0, limit);
}
