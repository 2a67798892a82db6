import type { RecipientsFormat } from './campaign.schema.js';

/** Where a campaign's uploaded recipients file is stored (the fan-out reads it back from there). */
export function recipientsObjectKey(campaignId: string, format: RecipientsFormat): string {
  return `campaigns/${campaignId}/recipients.${format === 'csv' ? 'csv' : 'jsonl'}`;
}
