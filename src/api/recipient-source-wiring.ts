import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import type { Config } from '../config/index.js';
import { describeBadWebhookSecret, signWebhook } from '../engagement/index.js';
import { AppError, isAppError } from '../errors/index.js';
import { createRecipientConnector, type ProfileStore, type RecipientSource } from '../recipients/index.js';

type ConnectorConfig = NonNullable<Config['recipients']['connector']>;

/** Where sticky links read from, and how an erasure forgets what it cached. */
export interface RecipientSourceWiring {
  source: RecipientSource;
  /** Drops a recipient's cached connector copy (0 or 1); always 0 without a connector. */
  forget(recipientId: string): Promise<number>;
}

const problem = (line: string) => new AppError('CONFIG_INVALID', `Invalid configuration:\n  - ${line}\nSee .env.example for every setting.`);

/**
 * Checks RECIPIENT_CONNECTOR_* before any connection opens (the secret's
 * form, and the URL through the webhook SSRF guard: https only, no
 * credentials, no localhost or private literal addresses unless allowed).
 * Returns a function that builds the source once Redis is there.
 */
export function checkRecipientSource(config: Readonly<Config>): (redis: Redis, store: ProfileStore, logger: Logger) => RecipientSourceWiring {
  const connector = config.recipients.connector;
  if (connector) {
    const why = describeBadWebhookSecret(connector.secret);
    if (why) throw problem(`RECIPIENT_CONNECTOR_SECRET: ${why}`);
    try {
      buildConnector(connector, config.recipients.profileMaxBytes, undefined as unknown as Redis);
    } catch (err) {
      if (!isAppError(err)) throw err;
      throw problem(`RECIPIENT_CONNECTOR_URL: ${err.message} (RECIPIENT_CONNECTOR_ALLOW_HTTP / _ALLOW_PRIVATE exist for tests)`);
    }
  }
  return (redis, store, logger) => {
    if (!connector) return { source: { current: (recipientId) => store.get(recipientId), history: (recipientId) => store.history(recipientId) }, forget: async () => 0 };
    const built = buildConnector(connector, config.recipients.profileMaxBytes, redis, logger);
    return { source: built, forget: async (recipientId) => ((await built.forget(recipientId)) ? 1 : 0) };
  };
}

function buildConnector(connector: ConnectorConfig, maxBytes: number, redis: Redis, logger?: Logger) {
  return createRecipientConnector(
    {
      redis,
      // The webhook signer: the CRM verifies connector requests exactly as it verifies our webhooks.
      sign: (id, timestamp, content) => ({ ...signWebhook([connector.secret], id, timestamp, content) }),
      onFailure: ({ reason, served }) => logger?.warn({ reason, served }, 'recipient connector failed'),
    },
    {
      baseUrl: connector.baseUrl,
      ttlSeconds: connector.ttlSeconds,
      staleIfErrorSeconds: connector.staleIfErrorSeconds,
      timeoutMs: connector.timeoutMs,
      maxBytes,
      retryAfterSeconds: connector.retryAfterSeconds,
      allowHttp: connector.allowHttp,
      allowPrivateAddresses: connector.allowPrivateAddresses,
    },
  );
}
