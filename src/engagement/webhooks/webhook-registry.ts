import { randomBytes } from 'node:crypto';
import type { Redis } from 'ioredis';
import { AppError, isAppError } from '../../errors/index.js';
import { runScript, updateWebhookEndpoint } from '../../redis/index.js';
import type { LookupAll } from '../../render/index.js';
import { pinWebhookUrl, type WebhookUrlPolicy } from './check-webhook-url.js';
import { DEFAULT_SEGMENT_MAPPING } from './segment-batch.js';
import {
  createWebhookInputSchema,
  rotateSecretInputSchema,
  rotateWriteKeyInputSchema,
  updateWebhookInputSchema,
  WEBHOOK_ENDPOINT_ID_PATTERN,
  type PublicWebhookEndpoint,
  type StoredWebhookEndpoint,
  type StoredWebhookSecret,
} from './webhook-endpoint.schema.js';
import { webhookKeys } from './webhook-keys.js';
import { generateWebhookSecret, webhookSecretHint } from './webhook-secret.js';
import { readWebhookStats } from './webhook-stats.js';

export interface WebhookRegistryOptions {
  policy: WebhookUrlPolicy;
  /** How long a replaced secret keeps signing after a rotation. Default 24 h. */
  secretOverlapMs?: number;
  /** DNS lookup (tests inject one); default the system resolver. */
  lookup?: LookupAll;
  now?: () => number;
}

/** A created or rotated endpoint, with the one time its new secret is shown. */
export interface EndpointWithSecret {
  endpoint: PublicWebhookEndpoint;
  secret: string;
}

export interface WebhookRegistry {
  create(input: unknown): Promise<EndpointWithSecret>;
  list(): Promise<PublicWebhookEndpoint[]>;
  get(id: string): Promise<PublicWebhookEndpoint>;
  /** The stored endpoint with its secrets, or null (for the worker and the dispatcher). */
  load(id: string): Promise<StoredWebhookEndpoint | null>;
  /** Every endpoint with its secrets. */
  loadAll(): Promise<StoredWebhookEndpoint[]>;
  update(id: string, patch: unknown): Promise<PublicWebhookEndpoint>;
  delete(id: string): Promise<void>;
  rotateSecret(id: string, input?: unknown): Promise<EndpointWithSecret>;
  /** Enables the endpoint and clears its failure run (consecutive failures, failing-since). */
  enable(id: string): Promise<PublicWebhookEndpoint>;
  /** Disables it (410 Gone, failing too long, an operator); returns false when it is already gone. */
  disable(id: string, reason: string): Promise<boolean>;
}

const JSON_FIELDS = new Set(['events', 'mapping', 'secrets', 'includeBots', 'enabled', 'disabledAt', 'createdAt', 'updatedAt', 'description', 'disabledReason']);

function toHash(endpoint: Partial<StoredWebhookEndpoint>): string[] {
  const args: string[] = [];
  for (const [key, value] of Object.entries(endpoint)) {
    if (value === undefined) continue;
    args.push(key, JSON_FIELDS.has(key) ? JSON.stringify(value) : String(value));
  }
  return args;
}

function fromHash(hash: Record<string, string>): StoredWebhookEndpoint | null {
  if (!hash.id) return null;
  const json = <T>(field: string, fallback: T): T => (hash[field] === undefined ? fallback : (JSON.parse(hash[field]) as T));
  return {
    id: hash.id,
    url: hash.url ?? '',
    format: hash.format === 'segment' ? 'segment' : 'standard-webhooks',
    events: json('events', []),
    mapping: json('mapping', null),
    description: json('description', null),
    includeBots: json('includeBots', false),
    enabled: json('enabled', true),
    disabledReason: json('disabledReason', null),
    disabledAt: json('disabledAt', null),
    createdAt: json('createdAt', 0),
    updatedAt: json('updatedAt', 0),
    secrets: json('secrets', []),
  };
}

function parse<T>(schema: { safeParse(v: unknown): { success: true; data: T } | { success: false; error: { issues: { path: PropertyKey[]; message: string }[] } } }, value: unknown, what: string): T {
  const parsed = schema.safeParse(value ?? {});
  if (parsed.success) return parsed.data;
  const issues = parsed.error.issues.map((i) => ({ path: i.path.map(String).join('.') || '(body)', message: i.message }));
  throw new AppError('INVALID_ARGUMENT', `invalid ${what}: ${issues.map((i) => `${i.path}: ${i.message}`).join('; ')}`, { details: { issues } });
}

/** One endpoint with its secrets, or null when there is none (or the id is malformed). */
export async function loadWebhookEndpoint(redis: Redis, id: string): Promise<StoredWebhookEndpoint | null> {
  if (!WEBHOOK_ENDPOINT_ID_PATTERN.test(id)) return null;
  return fromHash(await redis.hgetall(webhookKeys.endpoint(id)));
}

/**
 * Checks a URL being registered, DNS included. A refusal becomes
 * INVALID_ARGUMENT whose issue says why (the API shows issues), since the
 * caller is the one to fix it.
 */
async function vetForRegistration(url: string, options: WebhookRegistryOptions): Promise<void> {
  try {
    await pinWebhookUrl(url, options.policy, options.lookup);
  } catch (err) {
    if (!isAppError(err)) throw err;
    let reason: string;
    if (err.code === 'WEBHOOK_URL_FORBIDDEN') reason = String(err.details.reason ?? err.message);
    else if (err.code === 'WEBHOOK_DELIVERY_FAILED') reason = `${err.message} (check the host name)`;
    else throw err;
    throw new AppError('INVALID_ARGUMENT', `webhook URL refused: ${reason}`, { cause: err, details: { issues: [{ path: 'url', message: reason }] } });
  }
}

/** Every registered endpoint, secrets included (one SMEMBERS and one pipelined HGETALL per endpoint). */
export async function loadAllWebhookEndpoints(redis: Redis): Promise<StoredWebhookEndpoint[]> {
  const ids = await redis.smembers(webhookKeys.ids);
  if (ids.length === 0) return [];
  const pipeline = redis.pipeline();
  for (const id of ids) pipeline.hgetall(webhookKeys.endpoint(id));
  const results = (await pipeline.exec()) ?? [];
  return results.map(([err, hash]) => (err ? null : fromHash(hash as Record<string, string>))).filter((e): e is StoredWebhookEndpoint => e !== null);
}

/** Secrets still signing at `now`, newest first (expired ones are dropped). */
export function activeSecrets(endpoint: Pick<StoredWebhookEndpoint, 'secrets'>, now = Date.now()): StoredWebhookSecret[] {
  return endpoint.secrets.filter((s) => s.expiresAt === null || s.expiresAt > now);
}

/**
 * The endpoint registry in Redis (`POST/GET/PATCH/DELETE /v1/webhooks`).
 * URLs are checked, DNS included, when registered or changed; the worker
 * checks them again before every delivery. Secrets are shown once, on
 * create and rotate; listings carry only a hint of each.
 */
export function createWebhookRegistry(redis: Redis, options: WebhookRegistryOptions): WebhookRegistry {
  const overlapMs = options.secretOverlapMs ?? 86_400_000;
  const now = options.now ?? Date.now;

  const checkId = (id: string) => {
    if (!WEBHOOK_ENDPOINT_ID_PATTERN.test(id)) throw new AppError('INVALID_KEY', 'webhook endpoint id is malformed');
  };
  const load = (id: string) => loadWebhookEndpoint(redis, id);
  const mustLoad = async (id: string) => {
    checkId(id);
    const endpoint = await load(id);
    if (!endpoint) throw new AppError('NOT_FOUND', `no webhook endpoint ${id}`);
    return endpoint;
  };
  const toPublic = async (endpoint: StoredWebhookEndpoint): Promise<PublicWebhookEndpoint> => {
    const { secrets, ...rest } = endpoint;
    const t = now();
    return {
      ...rest,
      secrets: secrets.filter((s) => s.expiresAt === null || s.expiresAt > t).map((s) => ({ hint: webhookSecretHint(s.secret), createdAt: s.createdAt, expiresAt: s.expiresAt })),
      stats: await readWebhookStats(redis, endpoint.id),
    };
  };
  const write = async (id: string, fields: Partial<StoredWebhookEndpoint>) => {
    const done = await runScript(redis, updateWebhookEndpoint, [webhookKeys.endpoint(id), webhookKeys.version], toHash(fields));
    if (done !== 1) throw new AppError('NOT_FOUND', `no webhook endpoint ${id}`);
  };

  return {
    async create(input) {
      const body = parse(createWebhookInputSchema, input, 'webhook endpoint');
      await vetForRegistration(body.url, options);
      const t = now();
      const segment = body.format === 'segment';
      const secret = segment ? body.writeKey : (body.secret ?? generateWebhookSecret());
      const mapping: Record<string, string> | null = segment ? { ...(body.mapping ?? DEFAULT_SEGMENT_MAPPING) } as Record<string, string> : null;
      const endpoint: StoredWebhookEndpoint = {
        id: `ep_${randomBytes(15).toString('base64url')}`,
        url: body.url,
        format: segment ? 'segment' : 'standard-webhooks',
        events: segment ? Object.keys(mapping!) : body.events,
        mapping,
        description: body.description ?? null,
        includeBots: body.includeBots ?? false,
        enabled: true,
        disabledReason: null,
        disabledAt: null,
        createdAt: t,
        updatedAt: t,
        secrets: [{ secret, createdAt: t, expiresAt: null }],
      };
      await redis.multi().hset(webhookKeys.endpoint(endpoint.id), ...toHash(endpoint)).sadd(webhookKeys.ids, endpoint.id).incr(webhookKeys.version).exec();
      return { endpoint: await toPublic(endpoint), secret };
    },
    async list() {
      const all = await this.loadAll();
      all.sort((a, b) => a.createdAt - b.createdAt || a.id.localeCompare(b.id));
      return Promise.all(all.map(toPublic));
    },
    async get(id) {
      return toPublic(await mustLoad(id));
    },
    load,
    loadAll: () => loadAllWebhookEndpoints(redis),
    async update(id, patch) {
      const body = parse(updateWebhookInputSchema, patch, 'webhook update');
      const existing = await mustLoad(id);
      const segment = existing.format === 'segment';
      if (segment ? body.events !== undefined : body.mapping !== undefined) {
        const path = segment ? 'events' : 'mapping';
        const message = segment ? 'a CDP destination gets the events of its mapping: change the mapping' : 'only CDP destinations (format "segment") have a mapping';
        throw new AppError('INVALID_ARGUMENT', `invalid webhook update: ${path}: ${message}`, { details: { issues: [{ path, message }] } });
      }
      if (body.url !== undefined) await vetForRegistration(body.url, options);
      const t = now();
      await write(id, {
        url: body.url,
        events: body.mapping ? Object.keys(body.mapping) : body.events,
        mapping: body.mapping as Record<string, string> | undefined,
        description: body.description,
        includeBots: body.includeBots,
        updatedAt: t,
        ...(body.enabled === false ? { enabled: false, disabledReason: 'disabled by an operator', disabledAt: t } : {}),
      });
      return toPublic((await load(id))!);
    },
    async delete(id) {
      checkId(id);
      const [[, removed]] = (await redis.multi().del(webhookKeys.endpoint(id)).del(webhookKeys.stats(id)).srem(webhookKeys.ids, id).incr(webhookKeys.version).exec()) as [[unknown, number]];
      if (removed === 0) throw new AppError('NOT_FOUND', `no webhook endpoint ${id}`);
    },
    async rotateSecret(id, input) {
      const endpoint = await mustLoad(id);
      // A CDP makes its write keys: the new one must be given.
      const body = endpoint.format === 'segment' ? parse(rotateWriteKeyInputSchema, input, 'write key rotation') : parse(rotateSecretInputSchema, input, 'secret rotation');
      const t = now();
      const secret = body.secret ?? generateWebhookSecret();
      // The old secrets keep signing for the overlap (never longer than they already would).
      const kept = activeSecrets(endpoint, t).map((s) => ({ ...s, expiresAt: Math.min(s.expiresAt ?? Infinity, t + overlapMs) }));
      const secrets = [{ secret, createdAt: t, expiresAt: null }, ...kept.filter((s) => s.expiresAt > t)];
      await write(id, { secrets, updatedAt: t });
      return { endpoint: await toPublic({ ...endpoint, secrets, updatedAt: t }), secret };
    },
    async enable(id) {
      await mustLoad(id);
      await write(id, { enabled: true, disabledReason: null, disabledAt: null, updatedAt: now() });
      await redis.hdel(webhookKeys.stats(id), 'consecutiveFailures', 'failingSince');
      return toPublic((await load(id))!);
    },
    async disable(id, reason) {
      if (!WEBHOOK_ENDPOINT_ID_PATTERN.test(id)) return false;
      const t = now();
      const done = await runScript(redis, updateWebhookEndpoint, [webhookKeys.endpoint(id), webhookKeys.version], toHash({ enabled: false, disabledReason: reason, disabledAt: t, updatedAt: t }));
      return done === 1;
    },
  };
}
