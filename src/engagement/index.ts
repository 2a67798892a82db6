/**
 * Engagement: events from every channel, their aggregates and campaign
 * metrics, CRM webhooks and the campaign dashboard.
 */
export {
  engagementEventSchema,
  ENGAGEMENT_EVENT_TYPES,
  ENGAGEMENT_RESPONSE_TYPES,
  EVENT_ID_PATTERN,
  type EngagementEvent,
  type EngagementEventInput,
  type EngagementEventType,
  type EventSink,
} from './engagement-event.schema.js';
export { campaignMetricsSchema, channelMetricsSchema, funnelSchema, type CampaignMetrics, type ChannelMetrics, type Funnel } from './campaign-metrics.schema.js';
// CRM webhooks: registry, dispatcher (an EventSink), delivery worker, replay, verification.
export * from './webhooks/index.js';
export { createEventIngest, resolveEventIngestOptions, type EventIngest, type EventIngestDeps, type EventIngestOptions, type IngestContext, type IngestCounts, type IngestResult } from './create-event-ingest.js';
export { createEngagementMetrics, type EngagementMetrics } from './create-engagement-metrics.js';
export { classifyClient, type ClientInfo, type ClientVerdict } from './classify-client.js';
export { eraseEngagement, type EngagementErasure } from './erase-engagement.js';
export { ALL_CHANNELS, ENGAGEMENT_CAMPAIGNS_KEY, ENGAGEMENT_PREFIX, EVENTS_STREAM_KEY, engagementKeys, eventRateKey, renderWaitersKey, type EngagementKeys } from './engagement-keys.js';
export { nearestRank, TTFR_BUCKETS_MS, ttfrHistogram } from './nearest-rank.js';
export { createDeliveryTracker, type DeliveryEntry, type DeliveryTracker, type DeliveryTrackerOptions } from './create-delivery-tracker.js';
export { createLiveLinkEvents, type LiveLinkEvents, type LiveLinkEventsOptions, type LiveLinkSubject } from './create-live-link-events.js';
export { serverEventId } from './server-event-id.js';
