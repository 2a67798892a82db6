import type { EngagementEvent, EngagementEventType } from '../engagement-event.schema.js';

/**
 * The default mapping of a CDP destination: Segment's spec names where one
 * exists (Video Spec: playback started, content playing, playback
 * completed; E-commerce Spec: Order Completed), and plain names for the
 * CTA. Deliveries, opens, page views and shares are not sent unless mapped.
 */
export const DEFAULT_SEGMENT_MAPPING: Readonly<Partial<Record<EngagementEventType, string>>> = {
  play: 'Video Playback Started',
  progress_25: 'Video Content Playing',
  progress_50: 'Video Content Playing',
  progress_75: 'Video Content Playing',
  complete: 'Video Playback Completed',
  cta_click: 'CTA Clicked',
  conversion: 'Order Completed',
};

/** Segment's limits: 32 KB a message, 500 KB a batch. */
export const SEGMENT_MAX_MESSAGE_BYTES = 32 * 1024;
export const SEGMENT_MAX_BATCH_BYTES = 500 * 1024;

const PERCENT: Partial<Record<EngagementEventType, number>> = { progress_25: 25, progress_50: 50, progress_75: 75, complete: 100 };
const VIDEO = new Set<EngagementEventType>(['play', 'progress_25', 'progress_50', 'progress_75', 'complete']);

/** A `track` call of the Segment HTTP Tracking API. */
export interface SegmentTrack {
  type: 'track';
  userId: string;
  event: string;
  properties: Record<string, unknown>;
  timestamp: string;
  messageId: string;
  context: { library: { name: string; version: string } };
}

/**
 * The `messageId` of an event: derived from its id, so every retry and
 * every replay of it carries the same one and the CDP keeps it once.
 */
export function segmentMessageId(eventId: string): string {
  return `mastercut-${eventId}`;
}

function properties(e: EngagementEvent): Record<string, unknown> {
  const p: Record<string, unknown> = { campaign_id: e.campaignId, mastercut_event: e.type };
  if (e.channel) p.delivery_channel = e.channel;
  if (e.templateId) p.template_id = e.templateId;
  if (e.bot) p.bot = true;
  if (e.type === 'conversion') {
    // E-commerce Spec: Order Completed.
    Object.assign(p, { order_id: e.orderId, total: e.value, revenue: e.value, currency: e.currency });
  } else {
    if (VIDEO.has(e.type)) Object.assign(p, { content_asset_id: e.templateId, video_player: 'mastercut' }, PERCENT[e.type] ? { percent_complete: PERCENT[e.type] } : {});
    if (e.type === 'cta_click' && typeof e.meta.ctaId === 'string') p.cta_id = e.meta.ctaId;
    if (e.machineOpen) p.machine_open = true;
  }
  if (Object.keys(e.meta).length > 0) p.meta = e.meta;
  return p;
}

/**
 * The body of one delivery to a CDP: the HTTP Tracking API `batch` shape,
 * one `track` per mapped event (`userId` is the recipient id, the brand's
 * own customer id; `timestamp` the event's time). Events the mapping does
 * not name are left out; a message over Segment's 32 KB limit goes
 * without its `meta`. Null when nothing is mapped.
 */
export function buildSegmentBatch(events: readonly EngagementEvent[], mapping: Readonly<Record<string, string>>, sentAt: Date, version: string): string | null {
  const batch: SegmentTrack[] = [];
  for (const e of events) {
    const name = mapping[e.type];
    if (!name) continue;
    const message: SegmentTrack = {
      type: 'track',
      userId: e.recipientId,
      event: name,
      properties: properties(e),
      timestamp: new Date(e.ts).toISOString(),
      messageId: segmentMessageId(e.id),
      context: { library: { name: 'mastercut', version } },
    };
    if (Buffer.byteLength(JSON.stringify(message)) > SEGMENT_MAX_MESSAGE_BYTES) delete message.properties.meta;
    batch.push(message);
  }
  return batch.length === 0 ? null : JSON.stringify({ batch, sentAt: sentAt.toISOString() });
}

/** `Authorization` of the HTTP Tracking API: Basic, the write key as user name, no password. */
export function segmentAuthorization(writeKey: string): string {
  return `Basic ${Buffer.from(`${writeKey}:`).toString('base64')}`;
}
