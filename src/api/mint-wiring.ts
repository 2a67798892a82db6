import type { Router } from 'express';
import type { RedisOptions } from 'ioredis';
import type { Config } from '../config/index.js';
import type { ChannelProfileResolver } from '../encode/index.js';
import { createLiveLinkFactory, createMinter, createStoredProps, type LiveKeyring } from '../live/index.js';
import { closeRedisConnection, createRedisConnection } from '../queue/redis-connection.js';
import type { RenderJobOptions } from '../queue/render-job-options.js';
import type { TemplateRegistry } from '../templates/index.js';
import { createMintRoutes } from './routes/mint-routes.js';

export interface MintWiringDeps {
  config: Readonly<Config>;
  keyring: LiveKeyring;
  redisUrl: string;
  /** The API's fail-fast options (API_REDIS_OPTIONS); auto-pipelining is added. */
  redisOptions: RedisOptions;
  registry: TemplateRegistry;
  profiles: ChannelProfileResolver;
  jobOptions: RenderJobOptions;
  publicBaseUrl?: string;
  /** The Live wiring's erasure feed: remembered answers of an erased subject are dropped at once. */
  erasures: { onErased(handler: (subject: string) => void): void; live(): boolean };
}

/**
 * Send-time minting (`GET /v1/live-links/mint`, docs/send-time-minting.md):
 * the same link factory as `POST /v1/live-links`, in deterministic mode,
 * behind the mint keys. It has its own Redis connection with
 * auto-pipelining: thousands of concurrent first mints then share a few
 * round trips instead of queueing one command at a time. Undefined when
 * MINT_KEYS is empty (minting is off; the route answers like any unknown one).
 */
export function createMintWiring(deps: MintWiringDeps): { router: Router; close(): Promise<void> } | undefined {
  const { config } = deps;
  if (config.mint.keys.length === 0) return undefined;
  const redis = createRedisConnection(deps.redisUrl, { ...deps.redisOptions, enableAutoPipelining: true });
  // Errors surface on the calls (as 503); the connection itself only reconnects.
  redis.on('error', () => undefined);
  const storedProps = createStoredProps(redis, { ttlSeconds: config.live.linkTtlSeconds });
  const createLinks = createLiveLinkFactory(
    { registry: deps.registry, redis, keyring: deps.keyring, storedProps, profiles: deps.profiles, jobOptions: deps.jobOptions },
    { defaultTtlSeconds: config.live.linkTtlSeconds, maxTokenLength: config.live.tokenMaxLength, baseUrl: deps.publicBaseUrl },
  );
  const minter = createMinter({ registry: deps.registry, createLinks, usable: deps.erasures.live }, { ttlSeconds: config.live.linkTtlSeconds });
  deps.erasures.onErased((subject) => minter.forget(subject));
  const router = createMintRoutes(
    { minter },
    {
      mintKeys: config.mint.keys,
      otherKeys: [...config.farm.apiKeys, ...config.admin.apiKeys],
      ratePerSecond: config.mint.ratePerSecond,
      burst: config.mint.burst,
    },
  );
  return { router, close: () => closeRedisConnection(redis) };
}
