import { randomUUID } from 'node:crypto';
import { lookup as dnsLookup } from 'node:dns/promises';
import type { Redis } from 'ioredis';
import { AppError, isAppError } from '../errors/index.js';
import { redisKeys as defaultKeys, runScript, upsertProfile, type RedisKeys } from '../redis/index.js';
import { checkUrl, resolvePinnedAddresses, type LookupAll, type UrlPolicy } from '../render/index.js';
import { fetchConnectorProfile, type ConnectorAnswer } from './fetch-connector-profile.js';
import { canonicalFields } from './profile-fields.js';
import { assertRecipientId } from './recipient-id.js';
import { PROFILE_HISTORY_LENGTH, readProfileHistory } from './profile-history.js';
import type { ProfileSnapshot, RecipientSource } from './recipient-source.js';

/** A pull connector to the brand's CRM (RECIPIENT_CONNECTOR_*). */
export interface RecipientConnectorOptions {
  /** `GET {baseUrl}/{recipientId}` answers the profile's fields as a JSON object (404: no such recipient). */
  baseUrl: string;
  /** Fresh for this long: opens within it never call the CRM. */
  ttlSeconds: number;
  /** After the TTL, while the CRM fails, the last copy is served this long (0: never). */
  staleIfErrorSeconds: number;
  timeoutMs: number;
  /** Largest profile (RECIPIENT_PROFILE_MAX_BYTES); a larger answer is a failure. */
  maxBytes: number;
  /** Retry-After of the 503 when the CRM fails and no copy is left. */
  retryAfterSeconds: number;
  /** Tests only: http:// and private/loopback addresses (the webhook guard's two switches). */
  allowHttp?: boolean;
  allowPrivateAddresses?: boolean;
  keys?: RedisKeys;
}

export interface RecipientConnectorDeps {
  redis: Redis;
  /**
   * Signs one request like a webhook delivery (the engagement domain's
   * signWebhook, wired by the composition root): the signed content is the
   * request path, since a GET has no body.
   */
  sign(id: string, timestamp: number, content: string): Record<string, string>;
  lookup?: LookupAll;
  /** A CRM failure (reason only, never data): served stale or answered 503. */
  onFailure?(event: { reason: string; served: 'stale' | 'unavailable' }): void;
  /** Every call made to the CRM (tests, metrics). */
  onCall?(): void;
}

export type RecipientConnector = RecipientSource & {
  /** Drops the cached copy of a recipient (erasure); true when there was one. */
  forget(recipientId: string): Promise<boolean>;
};

const USER_AGENT = 'mastercut-connector/1';

/**
 * Sticky links' data read from the brand's CRM at open time. The answer is
 * validated like a pushed profile (a JSON object within the size bound, no
 * prototype keys) and cached in Redis with the profile layout, so a changed
 * answer makes a new version and an unchanged one keeps it. Fresh for the
 * TTL; concurrent opens of one recipient in this process share one call
 * (single flight). When the CRM fails, the last copy is served within the
 * stale-if-error window, else RECIPIENT_SOURCE_UNAVAILABLE (503 +
 * Retry-After): missing or default data is never rendered. Requests go
 * through the webhook SSRF guard (checkUrl, then every resolved address
 * vetted and pinned for the connection).
 */
export function createRecipientConnector(deps: RecipientConnectorDeps, options: RecipientConnectorOptions): RecipientConnector {
  const keys = options.keys ?? defaultKeys;
  const policy: UrlPolicy = { allowHttp: options.allowHttp ?? false, allowPrivateAddresses: options.allowPrivateAddresses ?? false, allowedPorts: null };
  const base = options.baseUrl.replace(/\/+$/, '');
  // Refused up front (scheme, credentials, localhost names, literal private IPs): a start-up error, not a failing open.
  checkUrl(`${base}/probe`, policy);
  const lookup = deps.lookup ?? dnsLookup;
  const inFlight = new Map<string, Promise<ProfileSnapshot | undefined>>();

  const readCache = async (recipientId: string) => {
    const reply = await deps.redis
      .multi()
      .exists(keys.recipientConnectorFresh(recipientId))
      .hmget(keys.recipientConnectorCache(recipientId), 'fields', 'version', 'hash')
      .exec();
    const fresh = (reply?.[0]?.[1] as number) === 1;
    const [fields, version, hash] = (reply?.[1]?.[1] ?? []) as (string | null)[];
    const copy: ProfileSnapshot | undefined =
      fields && version && hash ? { fields: JSON.parse(fields) as Record<string, unknown>, version: Number(version), hash } : undefined;
    return { fresh, copy };
  };

  const call = async (recipientId: string): Promise<ConnectorAnswer> => {
    const url = `${base}/${recipientId}`;
    try {
      const checked = checkUrl(url, policy);
      const addresses = await resolvePinnedAddresses(checked, lookup, policy);
      const headers = deps.sign(`msg_${randomUUID().replace(/-/g, '')}`, Math.floor(Date.now() / 1000), `${checked.url.pathname}${checked.url.search}`);
      deps.onCall?.();
      return await fetchConnectorProfile(checked, addresses, { headers, timeoutMs: options.timeoutMs, maxBytes: options.maxBytes * 4, userAgent: USER_AGENT });
    } catch (err) {
      if (!isAppError(err)) throw err;
      // The guard refused an address DNS gave (private, loopback): the CRM is unreachable, not this request wrong.
      return { kind: 'failed', reason: err.message };
    }
  };

  const store = async (recipientId: string, body: Buffer): Promise<ProfileSnapshot> => {
    let fields: unknown;
    try {
      fields = JSON.parse(body.toString('utf8'));
    } catch {
      throw new AppError('RECIPIENT_SOURCE_UNAVAILABLE', 'the CRM answered something that is not JSON');
    }
    const canonical = canonicalFields(fields, options.maxBytes);
    const cacheKey = keys.recipientConnectorCache(recipientId);
    const historyKey = keys.recipientConnectorHistory(recipientId);
    const reply = (await runScript(deps.redis, upsertProfile, [cacheKey, historyKey], ['', canonical.json, canonical.hash, new Date().toISOString(), PROFILE_HISTORY_LENGTH])) as string[];
    await deps.redis
      .multi()
      .pexpire(cacheKey, (options.ttlSeconds + options.staleIfErrorSeconds) * 1000)
      .pexpire(historyKey, (options.ttlSeconds + options.staleIfErrorSeconds) * 1000)
      .set(keys.recipientConnectorFresh(recipientId), '1', 'PX', options.ttlSeconds * 1000)
      .exec();
    return { fields: JSON.parse(canonical.json) as Record<string, unknown>, version: Number(reply[1]), hash: canonical.hash };
  };

  const refresh = async (recipientId: string, copy: ProfileSnapshot | undefined): Promise<ProfileSnapshot | undefined> => {
    const answer = await call(recipientId);
    if (answer.kind === 'none') {
      await deps.redis.del(keys.recipientConnectorCache(recipientId), keys.recipientConnectorFresh(recipientId), keys.recipientConnectorHistory(recipientId));
      return undefined;
    }
    let reason = answer.kind === 'failed' ? answer.reason : '';
    if (answer.kind === 'profile') {
      try {
        return await store(recipientId, answer.body);
      } catch (err) {
        if (!isAppError(err) || err.code === 'REDIS_UNAVAILABLE') throw err;
        reason = `the CRM's answer is not a valid profile (${err.message})`;
      }
    }
    // The copy's key lives TTL + stale-if-error after the last good answer: if it is here, it may be served.
    if (copy) {
      deps.onFailure?.({ reason, served: 'stale' });
      return copy;
    }
    deps.onFailure?.({ reason, served: 'unavailable' });
    throw new AppError('RECIPIENT_SOURCE_UNAVAILABLE', `recipient connector: ${reason}`, { details: { retryAfterSeconds: options.retryAfterSeconds } });
  };

  return {
    current(recipientId) {
      assertRecipientId(recipientId);
      // The whole read is shared, cache lookup included: an open that arrives while a call is out joins it.
      let pending = inFlight.get(recipientId);
      if (!pending) {
        pending = (async () => {
          const { fresh, copy } = await readCache(recipientId);
          return fresh && copy ? copy : refresh(recipientId, copy);
        })().finally(() => inFlight.delete(recipientId));
        inFlight.set(recipientId, pending);
      }
      return pending;
    },

    history: (recipientId) => readProfileHistory(deps.redis, keys.recipientConnectorHistory(recipientId)),

    async forget(recipientId) {
      const [[, copies] = [null, 0]] = (await deps.redis.multi().del(keys.recipientConnectorCache(recipientId), keys.recipientConnectorFresh(recipientId)).del(keys.recipientConnectorHistory(recipientId)).exec()) ?? [];
      return Number(copies) > 0;
    },
  };
}
