/**
 * Engagement: events from every channel, their aggregates and campaign
 * metrics, CRM webhooks and the campaign dashboard.
 */
export {
  conversionEventSchema,
  engagementEventSchema,
  interactionEventSchema,
  CHANNEL_PATTERN,
  ENGAGEMENT_EVENT_TYPES,
  ENGAGEMENT_RESPONSE_TYPES,
  ENGAGEMENT_TYPES,
  EVENT_ID_PATTERN,
  INTERACTION_EVENT_TYPES,
  ORDER_ID_PATTERN,
  type ConversionEvent,
  type EngagementEvent,
  type EngagementEventInput,
  type EngagementEventType,
  type EventSink,
  type InteractionEvent,
  type InteractionEventType,
} from './engagement-event.schema.js';
export { campaignMetricsSchema, channelMetricsSchema, funnelSchema, type CampaignMetrics, type ChannelMetrics, type Funnel } from './campaign-metrics.schema.js';
export { conversionMetricsSchema, ltvMetricsSchema, LTV_COHORTS, type CohortFigures, type ConversionMetrics, type LtvCohort, type LtvMetrics } from './ltv-metrics.schema.js';
export { computeConversionMetrics, type CohortSizes, type ConversionMetricsOptions, type ConversionRecord, type RecipientState } from './compute-conversion-metrics.js';
export { liftInterval, meanInterval, studentTQuantile, type Interval, type SampleSums } from './ltv-statistics.js';
export { currencyDigits, fromMinorUnits, isCurrencyCode, toMinorUnits } from './currency.js';
export type { EventSource } from './prepare-ingest-event.js';
// CRM webhooks: registry, dispatcher (an EventSink), delivery worker, replay, verification.
export * from './webhooks/index.js';
export { createEventIngest, resolveEventIngestOptions, type EventIngest, type EventIngestDeps, type EventIngestOptions, type IngestContext, type IngestCounts, type IngestResult } from './create-event-ingest.js';
export { createEngagementMetrics, type EngagementMetrics, type EngagementMetricsOptions } from './create-engagement-metrics.js';
export { classifyClient, createClientRanges, type ClientInfo, type ClientRanges, type ClientVerdict } from './classify-client.js';
export { eraseEngagement, type EngagementErasure } from './erase-engagement.js';
export { ALL_CHANNELS, clickRefKey, ENGAGEMENT_CAMPAIGNS_KEY, ENGAGEMENT_PREFIX, METRICS_CAMPAIGN_ID_PATTERN, EVENTS_STREAM_KEY, engagementKeys, eventRateKey, orderImportKeys, renderWaitersKey, type EngagementKeys } from './engagement-keys.js';
export { BROWSER_EVENT_TYPES, createBrowserEvents, type BrowserEvents, type BrowserEventsDeps, type BrowserEventsOptions } from './create-browser-events.js';
export { CLICK_REF_PATTERN, createClickRefs, type ClickRefs, type ClickSubject } from './create-click-refs.js';
export { nearestRank, TTFR_BUCKETS_MS, ttfrHistogram } from './nearest-rank.js';
export { createDeliveryTracker, type DeliveryEntry, type DeliveryTracker, type DeliveryTrackerOptions } from './create-delivery-tracker.js';
export { createLiveLinkEvents, type LiveLinkEvents, type LiveLinkEventsOptions, type LiveLinkSubject } from './create-live-link-events.js';
export { serverEventId } from './server-event-id.js';
export { SPINE_EVENT_TYPES, spineEventSchema, type SpineEvent, type SpineEventType } from './spine-event.schema.js';
export { importOrders, readOrderImport, ORDER_IMPORT_ID_PATTERN, type InvalidOrderRow, type OrderImportDeps, type OrderImportOptions, type OrderImportReport, type OrderImportResult, type OrderImportWarning, type OrderRows } from './import-orders.js';
export { ltvCsv } from './ltv-csv.js';
export { createWebhookDispatcher, createWebhookRegistry, replayWebhookEvents, scrubWebhookDeliveries, type WebhookJobData, listRecentWebhookFailures, WEBHOOK_ENDPOINT_ID_PATTERN, type ReplayResult, type WebhookRegistry, verifyWebhookSignature, type WebhookDeliveryOutcome, createWebhookWorker } from './webhooks/index.js';
export { createDashboardRoutes, createSessionRevocations } from './dashboard/index.js';
