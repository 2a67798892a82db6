import type { RedisOptions } from 'ioredis';
import type { Logger } from 'pino';
import type { Config } from '../config/index.js';
import type { ChannelProfileResolver } from '../encode/index.js';
import { createLiveLinkFactory, createMinter, createStoredProps, type LiveKeyring } from '../live/index.js';
import { closeRedisConnection, createRedisConnection, type RenderJobOptions } from '../queue/index.js';
import type { TemplateRegistry } from '../templates/index.js';
import { createMintListener, type MintListener } from './mint-listener.js';

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
  logger: Logger;
  /** The Live wiring's erasure feed: remembered answers of an erased subject are dropped at once. */
  erasures: { onErased(handler: (subject: string) => void): void; live(): boolean };
}

/**
 * Send-time minting (`GET /v1/live-links/mint`, docs/send-time-minting.md):
 * the same link factory as `POST /v1/live-links`, in deterministic mode,
 * behind the mint keys, answered by a listener in front of Express
 * (src/api/mint-listener.ts): `listener.wrap(app)` is the server's listener. It has its own Redis connection with
 * auto-pipelining: thousands of concurrent first mints then share a few
 * round trips instead of queueing one command at a time. Undefined when
 * MINT_KEYS is empty (minting is off; the path then reaches Express, where it is an unknown route).
 */
export async function createMintWiring(deps: MintWiringDeps): Promise<{ listener: MintListener; close(): Promise<void> } | undefined> {
  const { config } = deps;
  if (config.mint.keys.length === 0) return undefined;
  const redis = createRedisConnection(deps.redisUrl, { ...deps.redisOptions, enableAutoPipelining: true });
  // Errors surface on the calls (as 503); the connection itself only reconnects.
  redis.on('error', () => undefined);
  // Without an offline queue, a mint before the connection is ready would be a 503: wait for it,
  // or for its first failure (Redis down at start: the API still starts, and mints answer 503 until it is back).
  await new Promise<void>((resolve) => {
    redis.once('ready', resolve);
    redis.once('error', () => resolve());
    redis.once('end', resolve);
  });
  const storedProps = createStoredProps(redis, { ttlSeconds: config.live.linkTtlSeconds });
  const createLinks = createLiveLinkFactory(
    { registry: deps.registry, redis, keyring: deps.keyring, storedProps, profiles: deps.profiles, jobOptions: deps.jobOptions },
    { defaultTtlSeconds: config.live.linkTtlSeconds, maxTokenLength: config.live.tokenMaxLength, baseUrl: deps.publicBaseUrl },
  );
  const minter = createMinter({ registry: deps.registry, createLinks, usable: deps.erasures.live }, { ttlSeconds: config.live.linkTtlSeconds });
  deps.erasures.onErased((subject) => minter.forget(subject));
  const listener = createMintListener(
    { minter, logger: deps.logger, redis },
    {
      mintKeys: config.mint.keys,
      otherKeys: [...config.farm.apiKeys, ...config.admin.apiKeys],
      ratePerSecond: config.mint.ratePerSecond,
      burst: config.mint.burst,
    },
  );
  return { listener, close: () => closeRedisConnection(redis) };
}
