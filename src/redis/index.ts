/**
 * Redis conventions of the farm: every `{mastercut}` key (one registry) and
 * the script runner (EVALSHA with a NOSCRIPT fallback, every key in KEYS).
 */
export { HASH_TAG, QUEUE_PREFIX, backlogKeys, bullJobKey, createRedisKeys, redisKeys, type CampaignKeys, type RedisKeys } from './keys.js';
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
} from './engagement-keys.js';
export { webhookKeys } from './webhook-keys.js';
export { statsBucketKey } from './ops-keys.js';
export { REVOKED_SESSION_PREFIX, revokedSessionKey } from './dashboard-keys.js';
export { redisNowMs } from './redis-now-ms.js';
export { defineScript, runScript, scriptRunner, type RedisScript, type ScriptArg } from './run-script.js';
export { checkColdRender } from './scripts/check-cold-render.js';
export { claimCampaignKeys } from './scripts/claim-campaign-keys.js';
export { commitFanOutChunk } from './scripts/commit-fan-out-chunk.js';
export { countCampaignOutcome } from './scripts/count-campaign-outcome.js';
export { countDeliverableOutcome } from './scripts/count-deliverable-outcome.js';
export { existsEach } from './scripts/exists-each.js';
export { markCampaignDone } from './scripts/mark-campaign-done.js';
export { updateOutputRecord } from './scripts/output-index-update.js';
export { restoreOutputRecord } from './scripts/restore-output-record.js';
export { recordSubjectItems } from './scripts/record-subject.js';
export { upsertProfile } from './scripts/upsert-profile.js';
export { sendRenderStream } from './scripts/send-render-stream.js';
export { wantDeliverables } from './scripts/want-deliverables.js';
export { scrubDeadLetters } from './scripts/scrub-dead-letters.js';
export { updateWebhookEndpoint } from './scripts/update-webhook-endpoint.js';
export { recordQueueStats } from './scripts/record-queue-stats.js';
export { issueClickRef } from './scripts/issue-click-ref.js';
export { scrubEventStream } from './scripts/scrub-event-stream.js';
export { countBrowserConversions } from './scripts/count-browser-conversions.js';
export { recordRenderWaiters } from './scripts/record-render-waiters.js';
export { replaceCaptureProfile } from './scripts/replace-capture-profile.js';
