export { assertCampaignId, CAMPAIGN_ID_PATTERN, newCampaignId } from './campaign-id.js';
export { countOutcome, createCampaignHooks, settleDeliverable, type CampaignHooks, type DeliverableOutcome, type RenderOutcome } from './campaign-hooks.js';
export { allCampaignKeys, campaignKeys, chunkKeys } from './campaign-keys.js';
export { campaignCompletedEvent, type CampaignCompletedEvent, type OnCampaignCompleted } from './campaign-completed-event.js';
export {
  createCampaignService,
  type CampaignErrorsPage,
  type CampaignService,
} from './campaign-service.js';
export type { CampaignServiceDeps, CampaignServiceOptions, LazyCampaignLinks } from './campaign-service-deps.js';
export {
  campaignModeSchema,
  campaignParamsSchema,
  type CampaignCounts,
  type DeliverableCounts,
  type CampaignParams,
  type CampaignState,
  type CampaignStatus,
  type CreateCampaignInput,
  type RecipientsFormat,
} from './campaign.schema.js';
export { CHANNEL_VARIANTS, channelSchema, planChannels, type Channel, type ChannelPlan } from './channel-variants.js';
export { createFanOutQueue, type FanOutQueue, type FanOutQueueOptions } from './fan-out-queue.js';
export { recipientsObjectKey } from './recipients-object-key.js';
export { fanOut, recordUpload, type FanOutCheckpoint, type CampaignReport, type FanOutDeliveries, type FanOutDeps, type FanOutLimits, type FanOutPlan, type InvalidRow, type RowWarning } from './fan-out.js';
export { manifestPartKey } from './manifest-parts.js';
export { manifestStream, type ManifestFormat, type ManifestLayout } from './manifest-stream.js';
export { createRowParser, RECIPIENT_ID_PATTERN, type JsonSchemaNode, type ParsedRow, type RowIssue } from './recipient-row.js';
export { byteLimitStream } from './byte-limit-stream.js';
