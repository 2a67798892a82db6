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
