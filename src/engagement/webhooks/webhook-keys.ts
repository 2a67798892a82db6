/**
 * Redis keys of the webhook registry, all under the `{mastercut}` hash tag
 * (one Redis Cluster slot, like the queues).
 */
export const webhookKeys = {
  /** SET of endpoint ids. */
  ids: '{mastercut}:wh:ids',
  /** HASH per endpoint (fields of StoredWebhookEndpoint, JSON where not a string). */
  endpoint: (id: string) => `{mastercut}:wh:ep:${id}`,
  /** HASH per endpoint: delivery stats. */
  stats: (id: string) => `{mastercut}:wh:stats:${id}`,
  /** Bumped on every registry change: the dispatcher reloads its endpoint list when it moves. */
  version: '{mastercut}:wh:version',
  /** LIST (newest first, capped) of recent delivery failures. */
  failures: '{mastercut}:wh:failures',
  /** LIST (newest first, capped) of deliveries that exhausted their attempts or were stopped. */
  deadLetters: '{mastercut}:wh:dead',
} as const;

