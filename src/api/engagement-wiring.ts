import type { Readable } from 'node:stream';
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import type { Config } from '../config/index.js';
import {
  createBrowserEvents,
  createClickRefs,
  createDeliveryTracker,
  createEngagementMetrics,
  type EngagementMetricsOptions,
  createEventIngest,
  createLiveLinkEvents,
  importOrders,
  readOrderImport,
  type EventIngestDeps,
  type EventSink,
  type LiveLinkSubject,
  type OrderRows,
} from '../engagement/index.js';
import { AppError } from '../errors/index.js';
import { readCsvRows, readJsonlRows } from '../uploads/index.js';
import type { ApiDeps } from './api-deps.js';
import { createCampaignMetricsRoutes } from './routes/campaign-metrics-routes.js';
import { createConversionRoutes, type OrderFormat } from './routes/conversion-routes.js';
import { createEventRoutes } from './routes/event-routes.js';

export interface EngagementWiringDeps {
  config: Readonly<Config>;
  /** The API's fail-fast connection. */
  redis: Redis;
  logger: Logger;
  /** Where stored events go next (the webhook dispatcher). */
  sinks?: readonly EventSink[];
  /** Per-batch counts (Prometheus). */
  onIngested?: EventIngestDeps['onIngested'];
  /** Recipients' profile histories, for version consistency and data latency (createEngagementMetrics). */
  profileHistory?: EngagementMetricsOptions['profileHistory'];
}

/** What the Live wiring gives the engagement routes: token opening, and the erasure check for click references. */
export interface LiveTokenAccess {
  openToken: (token: string, pin?: string) => Promise<LiveLinkSubject>;
  isErased: (recipientId: string) => Promise<boolean>;
}

/** Order rows from an upload: the uploads domain's CSV and JSON Lines readers (the same record limit as recipients files). */
function orderRows(input: Readable, format: OrderFormat): OrderRows {
  return format === 'csv' ? readCsvRows(input, { maxRecordBytes: 64 * 1024 }) : readJsonlRows(input, { maxRecordBytes: 64 * 1024 });
}

/**
 * Builds ingestion, metrics, click references and the server-made event
 * sources from config. `routers` needs the Live wiring's token opener, so
 * the API builds this first, hands `liveEvents` and `clickRefs` to the Live
 * routes and `deliveries` to the campaign service, then asks for the routers.
 */
export function createEngagementWiring(deps: EngagementWiringDeps) {
  const { config, redis, logger } = deps;
  const ingest = createEventIngest(
    { redis, logger, ...(deps.sinks ? { sinks: deps.sinks } : {}), ...(deps.onIngested ? { onIngested: deps.onIngested } : {}) },
    config.events,
  );
  const metrics = createEngagementMetrics(redis, { ...config.conversions, ...(deps.profileHistory ? { profileHistory: deps.profileHistory } : {}) });
  const clickRefs = createClickRefs(redis, { ttlSeconds: Math.ceil(config.conversions.windowMs / 1000) });
  return {
    ingest,
    metrics,
    /** `impression` and `cta_click` from the Live URL routes. */
    liveEvents: createLiveLinkEvents({ ingest, logger }),
    /** The CTA redirect's click references (none when CONVERSION_CLICK_PARAM is `none`). */
    clickRefs: config.conversions.clickParam ? { param: config.conversions.clickParam, issue: clickRefs.issue } : undefined,
    /** `delivered` events of campaigns (fan-out side; the render worker has its own). */
    deliveries: createDeliveryTracker({ redis, ingest, logger }),
    routers(live?: LiveTokenAccess): NonNullable<ApiDeps['engagement']> {
      const openClick = async (ref: string): Promise<LiveLinkSubject> => {
        const subject = await clickRefs.open(ref);
        if (live && (await live.isErased(subject.recipientId))) throw new AppError('SUBJECT_ERASED', 'the recipient of this click was erased');
        return subject;
      };
      const openers = { ...(live ? { openToken: live.openToken } : {}), openClick };
      const browserOptions = { maxConversionsPerRecipient: config.conversions.browserMaxPerRecipient, retentionSeconds: config.events.retentionSeconds };
      return {
        events: createEventRoutes(
          { ingest, redis, apiKeys: config.farm.apiKeys, ...openers },
          { maxBodyBytes: config.events.maxBodyBytes, perClientPerMinute: config.events.perClientPerMinute, ...browserOptions },
        ),
        metrics: createCampaignMetricsRoutes({ metrics, redis }),
        conversions: createConversionRoutes(
          {
            browser: createBrowserEvents({ ingest, redis, ...openers }, browserOptions),
            importOrders: (rows) => importOrders({ redis, ingest, ...openers }, rows),
            readImport: (id, page) => readOrderImport(redis, id, page),
            rows: orderRows,
            redis,
            apiKeys: config.farm.apiKeys,
          },
          { perClientPerMinute: config.events.perClientPerMinute, maxUploadBytes: config.conversions.importMaxBytes },
        ),
      };
    },
  };
}
