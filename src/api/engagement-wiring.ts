import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import type { Config } from '../config/index.js';
import {
  createDeliveryTracker,
  createEngagementMetrics,
  createEventIngest,
  createLiveLinkEvents,
  type EventIngestDeps,
  type EventSink,
} from '../engagement/index.js';
import type { ApiDeps } from './api-deps.js';
import { createCampaignMetricsRoutes } from './routes/campaign-metrics-routes.js';
import { createEventRoutes, type LiveEventSubject } from './routes/event-routes.js';

export interface EngagementWiringDeps {
  config: Readonly<Config>;
  /** The API's fail-fast connection. */
  redis: Redis;
  logger: Logger;
  /** Where stored events go next (the webhook dispatcher). */
  sinks?: readonly EventSink[];
  /** Per-batch counts (Prometheus). */
  onIngested?: EventIngestDeps['onIngested'];
}

/**
 * Builds ingestion, metrics and the server-made event sources from config.
 * `routers` needs the Live wiring's token opener, so the API builds this
 * first, hands `liveEvents` to the Live routes and `deliveries` to the
 * campaign service, then asks for the routers.
 */
export function createEngagementWiring(deps: EngagementWiringDeps) {
  const { config, redis, logger } = deps;
  const ingest = createEventIngest(
    { redis, logger, ...(deps.sinks ? { sinks: deps.sinks } : {}), ...(deps.onIngested ? { onIngested: deps.onIngested } : {}) },
    config.events,
  );
  const metrics = createEngagementMetrics(redis);
  return {
    ingest,
    metrics,
    /** `impression` and `cta_click` from the Live URL routes. */
    liveEvents: createLiveLinkEvents({ ingest, logger }),
    /** `delivered` events of campaigns (fan-out side; the render worker has its own). */
    deliveries: createDeliveryTracker({ redis, ingest, logger }),
    routers(openToken?: (token: string) => Promise<LiveEventSubject>): NonNullable<ApiDeps['engagement']> {
      return {
        events: createEventRoutes(
          { ingest, redis, apiKeys: config.farm.apiKeys, ...(openToken ? { openToken } : {}) },
          { maxBodyBytes: config.events.maxBodyBytes, perClientPerMinute: config.events.perClientPerMinute },
        ),
        metrics: createCampaignMetricsRoutes({ metrics, redis }),
      };
    },
  };
}
