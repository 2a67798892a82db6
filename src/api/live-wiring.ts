import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import type { Config } from '../config/index.js';
import { AppError } from '../errors/index.js';
import { createColdRenderLimiter, createLiveLinkFactory, createOnDemand, eraseSubject, type EraseSubjectDeps, createErasureBroadcast, createLandingPage, type LiveKeyring, createLiveLinkResolver, createStoredProps, recordSubject, openLiveToken, sealLiveToken, isErased, isStickyPayload, recordOnUpdateLinks, wasKeyErasedSince, type LiveTokenPayload } from '../live/index.js';
import type { ChannelProfileResolver } from '../encode/index.js';
import { createRenderStreamHub, type DeliverableRequests, type OutputIndex, type RenderQueue, type Renders } from '../renders/index.js';
import type { LiveLinkEvents } from '../engagement/index.js';
import type { LiveEventSubject } from './routes/event-routes.js';
import type { LazyCampaignLinks } from '../campaigns/index.js';
import { createRedisConnection, createSubscriberConnection } from '../queue/index.js';
import type { ObjectStore } from '../storage/index.js';
import type { TemplateRegistry } from '../templates/index.js';
import type { RecipientSource } from '../recipients/index.js';
import type { ApiDeps } from './api-deps.js';
import { createLiveLinkRoutes } from './routes/live-link-routes.js';
import { createBundleRoutes, createLiveRoutes, type LiveRouteMetrics, type LiveRoutesDeps } from './routes/live-routes.js';
import { createSubjectRoutes } from './routes/subject-routes.js';

export interface LiveWiringDeps {
  config: Readonly<Config>;
  /** The keys that seal and open links, resolved from LIVE_KEYS before anything connected. */
  keyring: LiveKeyring;
  redisUrl: string;
  /** The API's fail-fast connection (a Redis outage is a quick 503). */
  redis: Redis;
  renderQueue: Pick<RenderQueue, 'jobOptions'>;
  /** The render lifecycle Live URLs request from and erasures remove jobs through (createRenders, with the transcode queue). */
  renders: Renders;
  /** The API's one producer of channel deliverables (shared with campaigns). */
  deliverables: DeliverableRequests;
  profiles: ChannelProfileResolver;
  registry: TemplateRegistry;
  index: OutputIndex;
  store: ObjectStore;
  logger: Logger;
  publicBaseUrl?: string;
  /** Engagement events of Live links (impression, cta_click) and the landing page's beacon URL. */
  events?: LiveLinkEvents;
  eventsUrl?: string;
  /** Optional (src/ops metrics): Live asset cache hits/misses and cold-render latency. */
  metrics?: LiveRouteMetrics;
  /** Click references the CTA redirect adds for the conversion pixel (engagement wiring). */
  clickRefs?: LiveRoutesDeps['clickRefs'];
  /** Where sticky links read their recipient's current data (the profile store, or a CRM connector). */
  recipients?: RecipientSource;
  /** What an erasure removes outside the Live domain (engagement data, webhook deliveries). */
  eraseElsewhere?: EraseSubjectDeps['eraseElsewhere'];
}

/** Builds every Live URL piece from config; `close` stops its Redis readers. */
export async function createLiveWiring(
  deps: LiveWiringDeps,
): Promise<{
  routers: NonNullable<ApiDeps['live']>;
  lazyCampaigns: LazyCampaignLinks;
  /**
   * Opens a token for `POST /v1/events` (authenticity, expiry, erasure); no
   * props are read. With a sticky link page's pin, the subject carries the
   * version that pin keeps (only the recipient's own pin counts).
   */
  openToken(token: string, pin?: string): Promise<LiveEventSubject>;
  /** Whether a recipient was erased (DELETE /v1/subjects): click references of theirs are refused. */
  isErased(recipientId: string): Promise<boolean>;
  /** Erasures of any API process, as they happen; `live()` is false while this process cannot hear them. */
  erasures: { onErased(handler: (subject: string) => void): void; live(): boolean };
  close(): Promise<void>;
}> {
  const { config, redis, keyring } = deps;
  const { profiles, deliverables } = deps;
  const storedProps = createStoredProps(redis, { ttlSeconds: config.live.linkTtlSeconds });
  const linkDeps = {
    registry: deps.registry,
    redis,
    keyring,
    storedProps,
    profiles,
    jobOptions: deps.renderQueue.jobOptions,
    ...(deps.recipients ? { recipients: deps.recipients } : {}),
  };
  // Every API process hears every erasure, so no memo here serves an erased subject once its DELETE answered.
  const broadcast = createErasureBroadcast({ redis, connect: () => createSubscriberConnection(deps.redisUrl) });
  // Not awaited: while it subscribes (or Redis is down) the memos stand down, nothing hangs.
  void broadcast.start();
  const resolver = createLiveLinkResolver(linkDeps, { maxTokenLength: config.live.tokenMaxLength, memoUsable: broadcast.live });
  broadcast.onErased((subject) => resolver.forget(subject));
  const limiter = createColdRenderLimiter(redis, {
    perClient: { limit: config.live.coldPerClient, windowSeconds: config.live.coldWindowSeconds },
    perLink: { limit: config.live.coldPerLink, windowSeconds: config.live.coldWindowSeconds },
  });
  const onDemand = createOnDemand(
    {
      renders: deps.renders,
      deliverables,
      index: deps.index,
      store: deps.store,
      limiter,
      recordSubject: (recipientId, items) => recordSubject(redis, recipientId, items, { ttlSeconds: config.live.linkTtlSeconds }),
    },
    { waitTimeoutMs: config.live.waitTimeoutMs },
  );
  const hub = createRenderStreamHub({ connect: () => createRedisConnection(deps.redisUrl) });
  const landing = await createLandingPage();
  const createLinks = createLiveLinkFactory(linkDeps, {
    defaultTtlSeconds: config.live.linkTtlSeconds,
    maxTokenLength: config.live.tokenMaxLength,
    baseUrl: deps.publicBaseUrl,
  });
  const erase = (recipientId: string, actor: string) =>
    eraseSubject(
      {
        redis,
        renders: deps.renders,
        store: deps.store,
        outputIndex: deps.index,
        storedProps,
        announce: (subject) => broadcast.announce(subject),
        ...(deps.eraseElsewhere ? { eraseElsewhere: deps.eraseElsewhere } : {}),
      },
      recipientId,
      { actor },
    );
  const base = (deps.publicBaseUrl ?? '').replace(/\/+$/, '');
  const ttlSeconds = config.live.linkTtlSeconds;
  const lazyCampaigns: LazyCampaignLinks = {
    storeProps: (props, recipientId) => storedProps.put(props, { recipientId, ttlSeconds }),
    linkUrl: (input) => `${base}/l/${sealLiveToken(keyring, input, { ttlSeconds, maxLength: config.live.tokenMaxLength })}`,
    rememberOnUpdate: (recipientId, links) => recordOnUpdateLinks(redis, recipientId, links, ttlSeconds),
  };
  const openToken = async (token: string, pin?: string): Promise<LiveEventSubject> => {
    const payload = openLiveToken(keyring, token, { maxLength: config.live.tokenMaxLength });
    if (payload.recipientId !== undefined && (await isErased(redis, { recipientId: payload.recipientId }))) {
      throw new AppError('SUBJECT_ERASED', 'the recipient of this link was erased');
    }
    return {
      templateId: payload.templateId,
      channel: payload.channel,
      ...(payload.campaignId === undefined ? {} : { campaignId: payload.campaignId }),
      ...(payload.recipientId === undefined ? {} : { recipientId: payload.recipientId }),
      ...(await pinnedVersionOf(payload, pin)),
    };
  };
  const pinnedVersionOf = async (payload: LiveTokenPayload, pin: string | undefined): Promise<{ profileVersion?: number }> => {
    if (pin === undefined || !isStickyPayload(payload)) return {};
    const version = await resolver.pinnedVersion(payload.recipientId, pin);
    return version === undefined ? {} : { profileVersion: version };
  };
  return {
    lazyCampaigns,
    openToken,
    isErased: (recipientId: string) => isErased(redis, { recipientId }),
    erasures: { onErased: broadcast.onErased, live: broadcast.live },
    routers: {
      pages: createLiveRoutes({
        resolver,
        logger: deps.logger,
        onDemand,
        hub,
        landing,
        store: deps.store,
        publicBaseUrl: deps.publicBaseUrl,
        ...(deps.events ? { events: deps.events } : {}),
        ...(deps.eventsUrl ? { eventsUrl: deps.eventsUrl } : {}),
        ...(deps.metrics ? { metrics: deps.metrics } : {}),
        ...(deps.clickRefs ? { clickRefs: deps.clickRefs } : {}),
      }),
      bundles: createBundleRoutes(deps.registry),
      links: createLiveLinkRoutes(createLinks),
      subjects: createSubjectRoutes(erase),
      wasKeyErased: (renderKey: string, since: number) => wasKeyErasedSince(redis, renderKey, since),
    },
    async close() {
      await broadcast.close();
      await hub.close();
    },
  };
}
