import type { AddressInfo } from 'node:net';
import { createServer, type Server } from 'node:http';
import { pathToFileURL } from 'node:url';
import { pino, type Logger } from 'pino';
import { createOutputIndex } from '../cache/index.js';
import { createCampaignService } from '../campaigns/index.js';
import { createRegistry } from '../cli/render-engine.js';
import { loadConfig, type Config } from '../config/index.js';
import { AppError } from '../errors/index.js';
import { createChannelProfileResolver } from '../encode/channel-profile-resolver.js';
import { createRenderQueue } from '../queue/create-render-queue.js';
import { createDeliverableRequests } from '../queue/deliverable-requests.js';
import { queueNames } from '../queue/queue-names.js';
import type { TranscodeJobData } from '../queue/transcode-job.schema.js';
import { createObjectStore } from '../storage/index.js';
import { startStoreSweeper } from './store-sweeper.js';
import type { ApiOptions } from './api-deps.js';
import { createApp } from './create-app.js';
import { createFastPath, type FastPath, type FastPathOptions } from './fast-path/index.js';
import { createLiveWiring } from './live-wiring.js';
import { createCampaignRouter } from './routes/campaign-routes.js';

/**
 * ioredis settings of the API's connection: no offline queue (a command
 * while disconnected fails at once instead of waiting for a reconnect), one
 * retry, and a command timeout for a server that is connected but stalled.
 */
export const API_REDIS_OPTIONS = { enableOfflineQueue: false, maxRetriesPerRequest: 1, commandTimeout: 5_000 } as const;

export interface StartApiServerOptions extends ApiOptions {
  /** Default config.farm.apiPort; 0 picks a free port. */
  port?: number;
  /** Default 0.0.0.0: in a container the API must be reachable from outside it. */
  host?: string;
  logger?: Logger;
  /** How long close() lets in-flight requests (e.g. `?wait=`) finish. Default 10 s. */
  closeGraceMs?: number;
  /** Prefix of output URLs in campaign manifests (e.g. `https://farm.example.com`). Default: relative URLs. */
  publicBaseUrl?: string;
  /** The in-memory fast path for cached files (src/api/fast-path); false turns it off. Default on, 1 s memo. */
  fastPath?: FastPathOptions | false;
}

export interface ApiServer {
  /** `http://host:port` the server listens on. */
  url: string;
  port: number;
  server: Server;
  /** The fast path in front of Express (its cache's stats), unless turned off. */
  fastPath?: FastPath;
  /** Stops accepting, lets in-flight requests finish (up to the grace period), closes Redis. */
  close(): Promise<void>;
}

/**
 * Wires the HTTP API from config: the render queue's producer connection
 * (fail-fast: no offline queue, one retry per command, so a Redis outage is
 * a quick 503 and never a hang), the output index on the same connection,
 * the file store, the template registry (no browsers: the API only
 * validates and lists), then listens.
 */
export async function startApiServer(config: Readonly<Config>, options: StartApiServerOptions = {}): Promise<ApiServer> {
  const redisUrl = config.farm.redisUrl;
  if (!redisUrl) {
    throw new AppError('CONFIG_INVALID', 'REDIS_URL is not set: the API needs Redis (e.g. REDIS_URL=redis://127.0.0.1:6379).');
  }
  const logger = options.logger ?? pino({ level: config.logLevel, base: { svc: 'api' } });
  const renderQueue = createRenderQueue({ redisUrl, redisOptions: API_REDIS_OPTIONS, jobOptions: config.jobs });
  // Errors surface on the calls (as 503); the connection itself only reconnects.
  renderQueue.connection.on('error', () => undefined);
  // Campaign fan-out streams a whole file into the queue: it gets its own
  // patient connection (commands wait through a Redis restart) so a blip
  // does not fail a 100k-row upload half way. Its routes still answer 503 at
  // once while the API's fail-fast connection is down.
  const campaignQueue = createRenderQueue({ redisUrl, events: false, jobOptions: config.jobs });
  campaignQueue.connection.on('error', () => undefined);
  const registry = createRegistry(config);
  const index = createOutputIndex(renderQueue.connection);
  const store = createObjectStore(config);
  // Producers of channel deliverables (campaigns and Live URLs); transcode workers consume them.
  const transcodeQueue = createRenderQueue<TranscodeJobData>({ redisUrl, queueName: queueNames.transcode, events: false, jobOptions: config.jobs });
  transcodeQueue.connection.on('error', () => undefined);
  const profiles = createChannelProfileResolver({ overrides: config.transcode.profileOverrides, webm: config.transcode.webm });
  const deliverables = createDeliverableRequests(campaignQueue.connection, { queue: transcodeQueue.queue, jobOptions: transcodeQueue.jobOptions });
  if (config.farm.apiKeys.length === 0) logger.warn('API_KEYS is empty: every /v1 management route will answer 401');
  const publicBaseUrl = options.publicBaseUrl ?? config.farm.publicBaseUrl;
  const live = await createLiveWiring({
    config,
    redisUrl,
    redis: renderQueue.connection,
    renderQueue,
    transcodeQueue,
    profiles,
    registry,
    index,
    store,
    logger,
    publicBaseUrl,
  });
  const campaigns = createCampaignService(
    { redis: campaignQueue.connection, queue: campaignQueue.queue, registry, index, store, jobOptions: campaignQueue.jobOptions, profiles, deliverables, live: live.lazyCampaigns },
    { outputBaseUrl: publicBaseUrl },
  );
  const app = createApp(
    {
      registry,
      renderQueue,
      index,
      store,
      redis: renderQueue.connection,
      apiKeys: config.farm.apiKeys,
      logger,
      campaignRouter: createCampaignRouter({ campaigns, redis: renderQueue.connection }, { redisTimeoutMs: options.redisTimeoutMs }),
      live: live.routers,
    },
    options,
  );

  const sweeper = startStoreSweeper(store, index, { intervalMs: config.storage.sweepIntervalMs, logger });

  // Recently checked cached files are answered from memory before Express: see src/api/fast-path.
  const fastPath = options.fastPath === false ? undefined : createFastPath({ store, logger }, options.fastPath);
  const server = createServer(fastPath ? fastPath.wrap(app) : app).listen(options.port ?? config.farm.apiPort, options.host ?? '0.0.0.0');
  await new Promise<void>((resolve, reject) => {
    server.once('listening', resolve);
    server.once('error', reject);
  });
  const { port } = server.address() as AddressInfo;
  logger.info({ port }, 'api listening');

  let closing: Promise<void> | undefined;
  const close = () =>
    (closing ??= (async () => {
      const stopped = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeIdleConnections();
      const grace = setTimeout(() => server.closeAllConnections(), options.closeGraceMs ?? 10_000);
      await stopped;
      clearTimeout(grace);
      sweeper.stop();
      fastPath?.close();
      await live.close();
      await Promise.all([renderQueue.close(), campaignQueue.close(), transcodeQueue.close()]);
      logger.info('api closed');
    })());
  return { url: `http://127.0.0.1:${port}`, port, server, close, ...(fastPath ? { fastPath } : {}) };
}

/**
 * Runs the API until SIGTERM or SIGINT, then closes gracefully. Resolves
 * with the exit code.
 */
export async function runApiServer(options: StartApiServerOptions = {}): Promise<number> {
  const api = await startApiServer(loadConfig(), options);
  await new Promise<void>((resolve) => {
    process.once('SIGTERM', resolve);
    process.once('SIGINT', resolve);
  });
  await api.close();
  return 0;
}

// `tsx src/api/main.ts` runs the server directly (the CLI's `mastercut serve` does the same).
if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  process.exitCode = await runApiServer();
}
