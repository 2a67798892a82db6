import { QUEUE_PREFIX } from '../queue/queue-names.js';

/** The stream every accepted event is appended to (capped with XADD MAXLEN ~). */
export const EVENTS_STREAM_KEY = `${QUEUE_PREFIX}:events`;

/** Prefix of every engagement key; a campaign's keys are `<prefix><campaignId>:...`. */
export const ENGAGEMENT_PREFIX = `${QUEUE_PREFIX}:eng:`;

/**
 * Set of the campaign ids that have engagement data: where an erasure looks
 * for a recipient's aggregate entries. (Campaign keys all have a `:` after
 * the id, so no campaign id collides with it.)
 */
export const ENGAGEMENT_CAMPAIGNS_KEY = `${ENGAGEMENT_PREFIX}campaigns`;

/**
 * Field name of the campaign-wide ("all channels") entries. Channel names
 * match `^[a-z][a-z0-9_-]*$`, so `*` can never collide with one.
 */
export const ALL_CHANNELS = '*';

/**
 * Redis keys of one campaign's engagement data. They share the `{mastercut}`
 * hash tag, so the ingest script touching many of them stays in one Redis
 * Cluster slot. Hash fields that name a recipient in a channel are
 * `<channel>|<recipientId>`: a channel never contains `|`, so the first `|`
 * splits them whatever the recipient id holds.
 */
export function engagementKeys(campaignId: string) {
  const base = `${ENGAGEMENT_PREFIX}${campaignId}:`;
  return {
    base,
    /** Hash: `h|<channel>|<type>` human and `b|<channel>|<type>` bot raw event counts. */
    counts: `${base}cnt`,
    /**
     * Hash: exact unique recipients, `<channel>|<type>` and `*|<type>`, plus
     * `x|engaged` (responded in any channel) and `x|multi` (in two or more).
     */
    uniques: `${base}uniq`,
    /** HyperLogLog of recipient ids per channel (or `*`) and type. */
    hll: (channel: string, type: string) => `${base}hll:${channel}:${type}`,
    /** Hash `<channel>|<recipientId>` (and `*|<recipientId>`) -> bit set of the event types seen (human). */
    seen: `${base}seen`,
    /** Hash `<recipientId>` -> number of channels the recipient responded in. */
    channelCount: `${base}nch`,
    /** Hash `<channel>|<recipientId>` -> first touch (min ts, any human event). */
    firstTouch: `${base}first`,
    /** Hash `<recipientId>` -> first delivery (min ts over channels). */
    firstDelivery: `${base}fd`,
    /** Hash `<channel>|<recipientId>` -> first delivery in that channel (the scanner timing check). */
    channelDelivery: `${base}fdc`,
    /** Hash `<recipientId>` -> first response (min ts of any non-delivered human event). */
    firstResponse: `${base}fr`,
    /** Hash `<channel>|<recipientId>` -> `<ts>:<propsHash>` of the latest `delivered` event with a props hash. */
    propsHash: `${base}props`,
    /** Hash `<recipientId>` -> `<ts>|<ctaId>` of the last human CTA click (the multi-CTA scanner check). */
    lastClick: `${base}click`,
    /** Dedupe marker of one event id (SET NX EX). */
    eventId: (id: string) => `${base}id:${id}`,
    /** Set of `<recipientId>|<channel>|<propsHash>|<templateId>` waiting on a master render to be published. */
    waitingOn: (renderKey: string) => `${base}wait:${renderKey}`,
  };
}

export type EngagementKeys = ReturnType<typeof engagementKeys>;

/** Set of campaign ids with recipients waiting on one render key (prerender `delivered` events). */
export function renderWaitersKey(renderKey: string): string {
  return `${ENGAGEMENT_PREFIX}renderwait:${renderKey}`;
}

/** Fixed-window rate-limit counter of one client (events per window). */
export function eventRateKey(client: string, window: number): string {
  return `${ENGAGEMENT_PREFIX}rl:${client}:${window}`;
}
