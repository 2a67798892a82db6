import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { pathToFileURL } from 'node:url';
import { pino, type Logger } from 'pino';
import { createDeliverableRequests, createOutputIndex, createRenderQueue, createRenders, type TranscodeJobData } from '../renders/index.js';
import { campaignCompletedEvent, createCampaignService, createFanOutQueue } from '../campaigns/index.js';
import { createDefaultRegistry } from '../pipeline/index.js';
import { loadConfig, type Config } from '../config/index.js';
import { AppError } from '../errors/index.js';
import { CHANNEL_NAMES, createChannelProfileResolver, type ChannelProfileResolver } from '../encode/index.js';
import { queueNames } from '../queue/index.js';
import { createObjectStore, type ObjectStore } from '../storage/index.js';
import { resolveLiveKeyring, type LiveKeyring, areErased, createStickyRefresher, recordSubject } from '../live/index.js';
import { redisKeys } from '../redis/index.js';
import type { TemplateRegistry } from '../templates/index.js';
import { startStoreSweeper } from './store-sweeper.js';
import type { ApiOptions } from './api-deps.js';
import { createApp } from './create-app.js';
import { listenApi } from './listen-api.js';
import { createFastPath, type FastPath, type FastPathOptions } from './fast-path/index.js';
import { createLiveWiring } from './live-wiring.js';
import { createMintWiring } from './mint-wiring.js';
import { checkRecipientSource } from './recipient-source-wiring.js';
import { createFarmMetrics, createReadiness, createRedisCheck, startOpsServer, type FarmMetrics, type OpsServer, createQueueDashboard, createQueueStats, registerScalingMetrics, scalingOptionsFromConfig } from '../ops/index.js';
import { createEngagementWiring } from './engagement-wiring.js';
import { createCampaignRouter } from './routes/campaign-routes.js';
import { createWebhookDispatcher, createWebhookRegistry, replayWebhookEvents, scrubWebhookDeliveries, type WebhookJobData, eraseEngagement, createDashboardRoutes, createSessionRevocations, listRecentWebhookFailures } from '../engagement/index.js';
import { createWebhookRouter } from './routes/webhook-routes.js';
import { createRecipientRoutes } from './routes/recipient-routes.js';
import { createProfileStore, RECIPIENT_ID_PATTERN } from '../recipients/index.js';
import { createProfileChangeHandler } from './profile-change-handler.js';
import { createZeroKnowledgeRoutes, withZeroKnowledgeBeacons } from '../zero-knowledge-page/index.js';

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
  /** Load each template's `player.js` into the fast path after listening. Default off (tests would build every bundle); runApiServer: on. */
  warmBundles?: boolean;
  /** The operations port (/metrics, /healthz, /readyz), apart so metrics never face the internet. Unset: none; 0: a free port; runApiServer: METRICS_PORT. */
  metricsPort?: number;
}

export interface ApiServer {
  /** `http://host:port` the server listens on. */
  url: string;
  port: number;
  server: Server;
  /** The fast path in front of Express (its cache's stats), unless turned off. */
  fastPath?: FastPath;
  /** This process's metrics (queue depth, cache lookups, cold renders, events, webhooks). */
  metrics: FarmMetrics;
  /** The operations server, when `metricsPort` was given. */
  ops?: OpsServer;
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
  // What the configuration can get wrong is found before any connection opens
  // (LIVE_KEYS, the store's settings, CHANNEL_PROFILES_JSON): a process that
  // fails after connecting must close what it opened, or it never exits.
  const { keyring, warning: keyringWarning } = resolveLiveKeyring({ keys: config.live.keys, retiredIds: config.live.retiredKeyIds }, config.env);
  const registry = createDefaultRegistry(config);
  const store = createObjectStore(config);
  const profiles = createChannelProfileResolver({ overrides: config.transcode.profileOverrides, webm: config.transcode.webm });
  checkChannelProfiles(registry, profiles);
  const recipientSource = checkRecipientSource(config);
  if (keyringWarning) logger.warn(keyringWarning);

  const opened: (() => Promise<unknown>)[] = [];
  try {
    return await wireApiServer({ config, options, logger, redisUrl, keyring, registry, store, profiles, recipientSource, opened });
  } catch (err) {
    // A start-up error after connecting: close what was opened (bounded: Redis may be what
    // failed), so the process can exit instead of hanging on its open handles.
    const closing = Promise.allSettled(opened.reverse().map((close) => close()));
    await Promise.race([closing, new Promise((resolve) => setTimeout(resolve, 1_000).unref())]);
    throw err;
  }
}

/** Every template's profile for every channel, resolved once: a bad CHANNEL_PROFILES_JSON fails the start. */
function checkChannelProfiles(registry: TemplateRegistry, profiles: ChannelProfileResolver): void {
  for (const { id } of registry.list()) {
    for (const channel of CHANNEL_NAMES) {
      try {
        profiles(registry.get(id), channel);
      } catch (err) {
        throw new AppError('CONFIG_INVALID', `Invalid configuration:\n  - CHANNEL_PROFILES_JSON: ${(err as Error).message}`, { cause: err });
      }
    }
  }
}

interface ApiWiring {
  config: Readonly<Config>;
  options: StartApiServerOptions;
  logger: Logger;
  redisUrl: string;
  keyring: LiveKeyring;
  registry: TemplateRegistry;
  store: ObjectStore;
  profiles: ChannelProfileResolver;
  /** Builds where sticky links read recipients (checked before connecting). */
  recipientSource: ReturnType<typeof checkRecipientSource>;
  /** Closers of what is opened, for a start-up that fails half way. */
  opened: (() => Promise<unknown>)[];
}

async function wireApiServer({ config, options, logger, redisUrl, keyring, registry, store, profiles, recipientSource, opened }: ApiWiring): Promise<ApiServer> {
  const metrics = createFarmMetrics({ role: 'api' });
  const renderQueue = createRenderQueue({ redisUrl, redisOptions: API_REDIS_OPTIONS, jobOptions: config.jobs });
  opened.push(() => renderQueue.close());
  // Errors surface on the calls (as 503); the connection itself only reconnects.
  renderQueue.connection.on('error', () => undefined);
  // Campaign fan-out streams a whole file into the queue: it gets its own
  // patient connection (commands wait through a Redis restart) so a blip
  // does not fail a 100k-row upload half way. Its routes still answer 503 at
  // once while the API's fail-fast connection is down.
  const campaignQueue = createRenderQueue({ redisUrl, events: false, jobOptions: config.jobs });
  opened.push(() => campaignQueue.close());
  campaignQueue.connection.on('error', () => undefined);
  const index = createOutputIndex(renderQueue.connection, { doneTtlSeconds: config.outputIndex.doneTtlSeconds });
  // Producers of channel deliverables (campaigns and Live URLs share one); transcode workers consume them.
  // On the patient connection: a Redis blip must not fail a campaign upload half way.
  const transcodeQueue = createRenderQueue<TranscodeJobData>({ redisUrl, queueName: queueNames.transcode, events: false, jobOptions: config.jobs });
  opened.push(() => transcodeQueue.close());
  transcodeQueue.connection.on('error', () => undefined);
  const deliverables = createDeliverableRequests(campaignQueue.connection, { queue: transcodeQueue.queue, jobOptions: transcodeQueue.jobOptions });
  // The render lifecycle as Live URLs and campaigns reach it (never a BullMQ queue). One per connection:
  // Live URLs on the fail-fast one (a Redis outage is a quick 503), campaigns on the patient one.
  const liveRenders = createRenders({ queue: renderQueue.queue, redis: renderQueue.connection, index, store, transcodeQueue: transcodeQueue.queue });
  const campaignRenders = createRenders({ queue: campaignQueue.queue, redis: campaignQueue.connection, index, store });
  if (config.farm.apiKeys.length === 0) logger.warn('API_KEYS is empty: every /v1 management route will answer 401');
  const publicBaseUrl = options.publicBaseUrl ?? config.farm.publicBaseUrl;
  // CRM webhooks first: ingestion hands every accepted batch to `webhookSink`, and the
  // registry and replay behind /v1/webhooks use the same queue.
  const webhookQueue = createRenderQueue<WebhookJobData>({ redisUrl, queueName: queueNames.webhooks, events: false, redisOptions: API_REDIS_OPTIONS });
  opened.push(() => webhookQueue.close());
  webhookQueue.connection.on('error', () => undefined);
  const webhookDeps = { redis: webhookQueue.connection, queue: webhookQueue.queue };
  const webhookSink = createWebhookDispatcher(webhookDeps, { retryScheduleMs: config.webhooks.retryScheduleMs });
  // A profile change re-renders the recipient's refresh on-update sticky links (the handler is built below, with the refresher).
  const recipientProfiles = createProfileStore(renderQueue.connection, {
    maxBytes: config.recipients.profileMaxBytes,
    onChanged: (changed) => void onProfileChanged(changed),
  });
  const recipients = recipientSource(renderQueue.connection, recipientProfiles, logger);
  const profileHistory = recipients.source.history;
  // Engagement next: the Live routes record impressions and clicks, campaigns record deliveries.
  // The campaign metrics compare shown profile versions with the history of where sticky links read.
  const engagement = createEngagementWiring({
    config,
    redis: renderQueue.connection,
    logger,
    sinks: [webhookSink],
    onIngested: metrics.onIngested,
    // Event recipient ids outside the profile rule (other systems' campaigns) never had a profile: no history.
    ...(profileHistory ? { profileHistory: async (id: string) => (RECIPIENT_ID_PATTERN.test(id) ? profileHistory.call(recipients.source, id) : []) } : {}),
  });
  const live = await createLiveWiring({
    // An erasure also removes the subject's engagement events, aggregate entries, conversions' ids and click references, their pending webhook and CDP deliveries, and their profile.
    eraseElsewhere: async (recipientId) => {
      // Ids outside the profile rule never had a profile (nor sticky links).
      const profiled = RECIPIENT_ID_PATTERN.test(recipientId);
      // The recipient's on-update sticky links (template, channel, campaign: nothing personal but the key's name).
      if (profiled) await renderQueue.connection.del(redisKeys.stickyOnUpdate(recipientId));
      return {
        ...(await eraseEngagement(renderQueue.connection, recipientId)),
        webhookEvents: await scrubWebhookDeliveries({ redis: webhookQueue.connection, queue: webhookQueue.queue }, recipientId),
        profiles: profiled && (await recipientProfiles.delete(recipientId)) ? 1 : 0,
        connectorCopies: profiled ? await recipients.forget(recipientId) : 0,
      };
    },
    // Sticky links read the profile store (what /v1/recipients pushes), or the CRM connector when one is configured.
    recipients: recipients.source,
    events: engagement.liveEvents,
    eventsUrl: '/v1/events',
    ...(engagement.clickRefs ? { clickRefs: engagement.clickRefs } : {}),
    config,
    keyring,
    redisUrl,
    redis: renderQueue.connection,
    renderQueue,
    renders: liveRenders,
    deliverables,
    profiles,
    registry,
    index,
    store,
    logger,
    publicBaseUrl,
    metrics,
  });
  opened.push(() => live.close());
  const stickyRefresher = createStickyRefresher({
    redis: campaignQueue.connection,
    registry,
    profiles,
    jobOptions: campaignQueue.jobOptions,
    renders: campaignRenders,
    deliverables,
    recipients: recipients.source,
    recordSubject: (recipientId, items) => recordSubject(campaignQueue.connection, recipientId, items, { ttlSeconds: config.live.linkTtlSeconds }),
  });
  const onProfileChanged = createProfileChangeHandler({ webhookSink, stickyRefresher, logger });
  const mint = await createMintWiring({ config, keyring, redisUrl, redisOptions: API_REDIS_OPTIONS, registry, profiles, jobOptions: renderQueue.jobOptions, publicBaseUrl, logger, erasures: live.erasures });
  if (mint) opened.push(() => mint.close());
  // The durable fan-out: uploads are stored and acknowledged, then any API process fans them out (resumed after a crash).
  const fanOutQueue = createFanOutQueue({ redisUrl, onError: () => undefined });
  opened.push(() => fanOutQueue.close());
  const campaigns = createCampaignService(
    {
      scheduleFanOut: (id) => fanOutQueue.schedule(id),
      // `campaign.completed` to the CRM webhooks, from whichever process saw the campaign turn done.
      onCompleted: async (id) => webhookSink([await campaignCompletedEvent(campaignQueue.connection, id)]),
      redis: campaignQueue.connection,
      renders: campaignRenders,
      registry,
      index,
      store,
      jobOptions: campaignQueue.jobOptions,
      profiles,
      deliverables,
      live: live.lazyCampaigns,
      deliveries: engagement.deliveries,
      erased: (ids) => areErased(campaignQueue.connection, ids),
      // Sticky campaigns read profiles where sticky links do.
      recipients: recipients.source,
    },
    { outputBaseUrl: publicBaseUrl, window: config.campaigns.window },
  );
  fanOutQueue.start((id, signal) => campaigns.runFanOut(id, { windowed: true, ...(signal ? { signal } : {}) }));
  const webhookPolicy = { allowHttp: config.webhooks.allowHttp, allowPrivateAddresses: config.webhooks.allowPrivateAddresses };
  // Queue depth is exported by the API only: one source, so series are not repeated by every worker.
  metrics.watchQueues([renderQueue.queue, transcodeQueue.queue, webhookQueue.queue]);
  // The scaling signal (mastercut_recommended_workers{queue}, drain time) for autoscalers, also API-only, computed on scrape.
  const queueStats = createQueueStats({ redis: renderQueue.connection });
  opened.push(() => queueStats.close());
  registerScalingMetrics(metrics.registry, {
    readStats: (queue) => queueStats.read(queue),
    queues: Object.values(queueNames),
    options: scalingOptionsFromConfig(config),
    onError: (queue, err) => logger.warn({ queue, err: { message: (err as Error).message } }, 'scaling metrics: queue stats unreadable'),
  });
  // /readyz: Redis reachable with maxmemory-policy noeviction (CONFIG GET cached 10 s, so probes stay cheap).
  const readiness = createReadiness({ redis: createRedisCheck(renderQueue.connection) });
  const webhookRouter = createWebhookRouter({
    registry: createWebhookRegistry(webhookQueue.connection, { policy: webhookPolicy, secretOverlapMs: config.webhooks.secretOverlapMs }),
    replay: (id, body) => replayWebhookEvents(webhookDeps, id, body, { retryScheduleMs: config.webhooks.retryScheduleMs }),
    redis: webhookQueue.connection,
  });
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
      adminQueues: createQueueDashboard(
        { queues: [renderQueue.queue, transcodeQueue.queue, webhookQueue.queue], logger },
        { adminKeys: config.admin.apiKeys, readOnly: config.admin.readOnly },
      ),
      engagement: engagement.routers({ openToken: withZeroKnowledgeBeacons(live.openToken), isErased: live.isErased }),
      mintKeys: config.mint.keys,
      zeroKnowledge: await createZeroKnowledgeRoutes({ registry, profiles, eventsUrl: '/v1/events' }),
      webhookRouter,
      recipientRouter: createRecipientRoutes(
        { profiles: recipientProfiles, redis: renderQueue.connection },
        { maxUploadBytes: config.recipients.bulkMaxBytes, redisTimeoutMs: options.redisTimeoutMs },
      ),
      readiness,
      metrics,
      dashboard: createDashboardRoutes(
        {
          apiKeys: config.farm.apiKeys,
          redis: renderQueue.connection,
          revocations: createSessionRevocations(renderQueue.connection),
          logger,
          campaignMetrics: (id) => engagement.metrics.campaignMetrics(id),
          campaignStatus: (id) => campaigns.status(id),
          webhookFailures: (limit) => listRecentWebhookFailures(webhookQueue.connection, { limit }),
        },
        {
          sessionSecret: config.dashboard.sessionSecret,
          sessionTtlSeconds: config.dashboard.sessionTtlSeconds,
          refreshMs: config.dashboard.refreshMs,
          // Behind a TLS proxy req.secure is false unless Express trusts it: an https public URL says the cookie must be Secure.
          secureCookies: publicBaseUrl?.startsWith('https://') ? true : 'auto',
          redisTimeoutMs: options.redisTimeoutMs,
        },
      ),
    },
    options,
  );

  const sweeper = startStoreSweeper(store, index, { intervalMs: config.storage.sweepIntervalMs, logger });
  opened.push(async () => sweeper.stop());

  // Recently checked cached files are answered from memory before Express: see src/api/fast-path.
  // It answers only while this process hears erasures, and forgets everything at each one.
  const fastPath =
    options.fastPath === false
      ? undefined
      : createFastPath(
          { store, logger, registry, usable: live.erasures.live, onLookup: (hit) => metrics.cacheLookup('fast_path', hit ? 'hit' : 'miss') },
          options.fastPath,
        );
  if (fastPath) live.erasures.onErased(() => fastPath.cache.clear());
  if (fastPath) opened.push(async () => fastPath.close());
  const expressOrFast = fastPath ? fastPath.wrap(app) : app;
  // Send-time minting answers before Express too (src/api/mint-listener.ts).
  const server = await listenApi(mint ? mint.listener.wrap(expressOrFast) : expressOrFast, options.port ?? config.farm.apiPort, options.host ?? '0.0.0.0');
  opened.push(() => new Promise((resolve) => server.close(resolve)));
  const { port } = server.address() as AddressInfo;
  logger.info({ port }, 'api listening');
  // After listening, so a bundle build never holds the port; until a file is warm, Express serves it.
  if (options.warmBundles && fastPath?.bundles) {
    const warming = fastPath.bundles;
    void warming.warm(registry.list().map((t) => t.id)).then(() => logger.info({ files: warming.stats().files }, 'bundle files warm'));
  }
  const ops =
    options.metricsPort === undefined
      ? undefined
      : await startOpsServer({ port: options.metricsPort, host: config.metrics.host, registry: metrics.registry, readiness, info: { role: 'api' } });
  if (ops) logger.info({ port: ops.port, role: 'api' }, 'metrics listening');

  let closing: Promise<void> | undefined;
  const close = () =>
    (closing ??= (async () => {
      const stopped = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeIdleConnections();
      const grace = setTimeout(() => server.closeAllConnections(), options.closeGraceMs ?? 10_000);
      await stopped;
      clearTimeout(grace);
      await ops?.close();
      sweeper.stop();
      await queueStats.close();
      fastPath?.close();
      await live.close();
      await mint?.close();
      await fanOutQueue.close();
      await Promise.all([renderQueue.close(), campaignQueue.close(), transcodeQueue.close(), webhookQueue.close()]);
      logger.info('api closed');
    })());
  return { url: `http://127.0.0.1:${port}`, port, server, close, metrics, ...(ops ? { ops } : {}), ...(fastPath ? { fastPath } : {}) };
}

/**
 * Runs the API until SIGTERM or SIGINT, then closes gracefully. Resolves
 * with the exit code.
 */
export async function runApiServer(options: StartApiServerOptions = {}): Promise<number> {
  const config = loadConfig();
  const api = await startApiServer(config, { metricsPort: config.metrics.port, warmBundles: true, ...options });
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
