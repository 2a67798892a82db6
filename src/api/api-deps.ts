import type { Router } from 'express';
import type { Logger } from 'pino';
import type { RenderOutputIndex, RenderQueue } from '../renders/index.js';
import type { ObjectStore } from '../storage/index.js';
import type { ReadinessReport } from '../ops/index.js';
import type { TemplateRegistry } from '../templates/index.js';
import type { RedisHealth } from '../http/index.js';

/** What the HTTP API is built from; `src/api/main.ts` wires the real ones. */
export interface ApiDeps {
  registry: TemplateRegistry;
  /** The producer side of the render queue (engineer B's createRenderQueue). */
  renderQueue: Pick<RenderQueue, 'queue' | 'events' | 'jobOptions'>;
  /** The output index in Redis (engineer A's createOutputIndex). */
  index: RenderOutputIndex;
  store: ObjectStore;
  /**
   * The API's Redis connection, only read for its status (`'ready'` or not):
   * it should be made with `enableOfflineQueue: false` so commands fail at
   * once while Redis is down instead of queueing in memory.
   */
  redis: RedisHealth;
  /** Accepted `Authorization: Bearer` keys; empty refuses every managed route. */
  apiKeys: readonly string[];
  /** Default: a silent logger. */
  logger?: Logger;
  /** Engineer D's createCampaignRouter(...), mounted at /v1/campaigns behind the API key. */
  campaignRouter?: Router;
  /** Live URLs (src/api/live-wiring.ts): public /l and /b, and /v1/live-links and /v1/subjects behind the API key. */
  live?: {
    pages: Router;
    bundles: Router;
    links: Router;
    subjects: Router;
    /** True when `renderKey` was erased (DELETE /v1/subjects) since `since` (ms, Redis's clock): its render's status answers 410. */
    wasKeyErased?: (renderKey: string, since: number) => Promise<boolean>;
  };
  /** Bull Board (src/ops/admin createQueueDashboard), mounted at /admin/queues; it checks ADMIN_API_KEYS itself. */
  adminQueues?: Router;
  /** The campaign dashboard (createDashboardRoutes), mounted at /dashboard; it checks the API key or its session itself. */
  dashboard?: Router;
  /** `/readyz` checks (src/ops/health: Redis and its eviction policy); without it, only the connection state. */
  readiness?: { check(): Promise<ReadinessReport> };
  /** Optional metrics (src/ops): `/v1/outputs` cache hits and misses. FarmMetrics fits. */
  metrics?: { cacheLookup(layer: 'store', result: 'hit' | 'miss'): void };
  /** CRM webhook endpoints (createWebhookRouter), mounted at /v1/webhooks behind the API key. */
  webhookRouter?: Router;
  /**
   * Engagement (src/api/engagement-wiring.ts): `POST /v1/events` (own auth:
   * API key or Live token), `GET /v1/campaigns/:id/metrics` and `ltv.csv`
   * behind the API key, `/v1/conversions` (own auth: the pixel is public).
   */
  engagement?: { events: Router; metrics: Router; conversions: Router };
  /** MINT_KEYS: refused on every API-key route with MINT_KEY_FORBIDDEN (403). */
  mintKeys?: readonly string[];
  /** Recipient profiles (createRecipientRoutes), mounted at /v1/recipients behind the API key; it reads its own bodies. */
  recipientRouter?: Router;
  /** Zero-knowledge link pages (createZeroKnowledgeRoutes), public, mounted at /z. */
  zeroKnowledge?: Router;
}

/** Tunables of the app; all optional. */
export interface ApiOptions {
  /** Largest JSON body. Default 256 KiB. */
  jsonLimitBytes?: number;
  /** Longest `?wait=` a client may ask for, in seconds. Default 120. */
  maxWaitSeconds?: number;
  /** Time a single Redis-backed step may take before the answer is 503. Default 2000 ms. */
  redisTimeoutMs?: number;
}

export interface ResolvedApiOptions {
  jsonLimitBytes: number;
  maxWaitSeconds: number;
  redisTimeoutMs: number;
}

export function resolveApiOptions(options: ApiOptions = {}): ResolvedApiOptions {
  return {
    jsonLimitBytes: options.jsonLimitBytes ?? 256 * 1024,
    maxWaitSeconds: options.maxWaitSeconds ?? 120,
    redisTimeoutMs: options.redisTimeoutMs ?? 2_000,
  };
}
