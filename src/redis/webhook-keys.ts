import { HASH_TAG } from './keys.js';

/**
 * Redis keys of the webhook registry (src/engagement/webhooks), all under
 * the `{mastercut}` hash tag (one Redis Cluster slot, like the queues).
 */
export const webhookKeys = {
  /** SET of endpoint ids. */
  ids: `${HASH_TAG}:wh:ids`,
  /** HASH per endpoint (fields of StoredWebhookEndpoint, JSON where not a string). */
  endpoint: (id: string) => `${HASH_TAG}:wh:ep:${id}`,
  /** HASH per endpoint: delivery stats. */
  stats: (id: string) => `${HASH_TAG}:wh:stats:${id}`,
  /** Bumped on every registry change: the dispatcher reloads its endpoint list when it moves. */
  version: `${HASH_TAG}:wh:version`,
  /** LIST (newest first, capped) of recent delivery failures. */
  failures: `${HASH_TAG}:wh:failures`,
  /** LIST (newest first, capped) of deliveries that exhausted their attempts or were stopped. */
  deadLetters: `${HASH_TAG}:wh:dead`,
} as const;
