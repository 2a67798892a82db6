/** The engagement keys are built by the key registry (src/redis); re-exported for this domain's modules. */
export {
  clickRefKey,
  clickRefsOfKey,
  ENGAGEMENT_CAMPAIGNS_KEY,
  ENGAGEMENT_PREFIX,
  engagementKeys,
  EVENTS_STREAM_KEY,
  eventRateKey,
  orderImportKeys,
  renderWaitersKey,
  type EngagementKeys,
} from '../redis/index.js';

/**
 * Field name of the campaign-wide ("all channels") entries. Channel names
 * match `^[a-z][a-z0-9_-]*$`, so `*` can never collide with one.
 */
export const ALL_CHANNELS = '*';

/**
 * Campaign ids that events (and so metrics and dashboards) may name: the
 * farm's own (`cmp_...`) and, from API-key clients, other systems' ids, as
 * long as they are URL-safe.
 */
export const METRICS_CAMPAIGN_ID_PATTERN = /^[A-Za-z0-9_.:-]{1,200}$/;
