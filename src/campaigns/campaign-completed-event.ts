import type { Redis } from 'ioredis';
import { campaignKeys } from './campaign-keys.js';

/** The `campaign.completed` webhook event, as src/engagement's webhook dispatcher takes it. */
export interface CampaignCompletedEvent {
  id: string;
  type: 'campaign.completed';
  campaignId: string;
  ts: number;
  /** Final counts (no personal data): rows, masters and each channel's deliverables. */
  meta: Record<string, number | string>;
}

/** Told when a campaign turns `done` (each composition root hands it to the webhook dispatcher). */
export type OnCampaignCompleted = (campaignId: string) => Promise<void>;

const COUNTS = ['total', 'valid', 'invalid', 'renders', 'cached', 'rendered', 'failed'] as const;

/**
 * The event of a campaign that just turned `done`, from its stored counts.
 * Its id is derived from the campaign id, so whichever process saw the
 * transition, the webhook is one message (job ids are event-id based).
 */
export async function campaignCompletedEvent(redis: Redis, campaignId: string): Promise<CampaignCompletedEvent> {
  const meta = await redis.hgetall(campaignKeys(campaignId).meta);
  const counts: Record<string, number | string> = Object.fromEntries(COUNTS.map((f) => [f, Number(meta[f] ?? 0)]));
  for (const channel of (meta.channels ?? '').split(',').filter(Boolean)) {
    if (meta.deliverables !== '1') break;
    for (const stage of ['wanted', 'cut', 'failed']) counts[`${channel}_deliverables_${stage === 'wanted' ? 'queued' : stage}`] = Number(meta[`dl:${channel}:${stage}`] ?? 0);
  }
  counts.templateId = meta.templateId ?? '';
  return { id: `campaign-completed-${campaignId}`, type: 'campaign.completed', campaignId, ts: Number(meta.finishedAt ?? Date.now()), meta: counts };
}
