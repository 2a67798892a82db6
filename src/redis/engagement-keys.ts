import { HASH_TAG } from './keys.js';

/*
 * The engagement domain's keys (src/engagement), in the key registry so
 * every `{mastercut}` key is built in one place. Byte layout unchanged:
 * stored data stays readable.
 */

/** The stream every accepted event is appended to (capped with XADD MAXLEN ~). */
export const EVENTS_STREAM_KEY = `${HASH_TAG}:events`;

/** Prefix of every engagement key; a campaign's keys are `<prefix><campaignId>:...`. */
export const ENGAGEMENT_PREFIX = `${HASH_TAG}:eng:`;

/**
 * Set of the campaign ids that have engagement data: where an erasure looks
 * for a recipient's aggregate entries. (Campaign keys all have a `:` after
 * the id, so no campaign id collides with it.)
 */
export const ENGAGEMENT_CAMPAIGNS_KEY = `${ENGAGEMENT_PREFIX}campaigns`;

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
    /** Hash: `h|`, `b|` and `m|<channel>|<type>`: human, bot and machine-open (privacy proxy) raw event counts. */
    counts: `${base}cnt`,
    /**
     * Hash: exact unique recipients, `<channel>|<type>` and `*|<type>` (and
     * `|machine_open`), plus `x|engaged` (engaged in any channel) and
     * `x|multi` (in two or more), and among reached recipients (with a
     * channel touch) `x|reached`, `x|rengaged` and `x|rmulti` (the LTV cohorts).
     */
    uniques: `${base}uniq`,
    /** HyperLogLog of recipient ids per channel (or `*`) and type. */
    hll: (channel: string, type: string) => `${base}hll:${channel}:${type}`,
    /** Hash `<channel>|<recipientId>` (and `*|<recipientId>`) -> bit set of the event types seen (human). */
    seen: `${base}seen`,
    /** Hash `<channel>|<recipientId>|<type>` (and `*|...`) -> human opens or clicks (they can be taken back). */
    humanCounts: `${base}hum`,
    /** Hash `<recipientId>` -> number of channels the recipient engaged in. */
    channelCount: `${base}nch`,
    /** Hash `<recipientId>` -> first channel touch (the sender's delivery in a channel when reported, else the farm's). */
    touch: `${base}touch`,
    /** Hash `<recipientId>` -> first engagement (any human response but an open). */
    firstResponse: `${base}fr`,
    /** Hash `<recipientId>` -> first engagement other than a click. */
    firstNonClick: `${base}frn`,
    /** Hash `<recipientId>` -> `<channel>,<ts>;...` human engagements other than clicks (last-touch attribution). */
    timeline: `${base}tl`,
    /** Hash `<recipientId>` -> `<channel>,<f|s>,<ts>;...` deliveries (farm or sender). */
    deliveries: `${base}dl`,
    /** Hash `<recipientId>` -> `<channel>,<ts>;...` opens counted human so far. */
    opens: `${base}im`,
    /** Hash `<recipientId>` -> `<channel>,<ts>,<ctaId>,<h|b>;...` clicks not flagged by their client. */
    clicks: `${base}ck`,
    /** Hash `<channel>|<recipientId>` -> `<ts>:<propsHash>` of the latest `delivered` event with a props hash. */
    propsHash: `${base}props`,
    /**
     * Hash `<channel>|<recipientId>` -> `<profileVersion>,<ts>;...`: the
     * profile version each human event of a sticky link showed (at most the
     * per-recipient cap; a version's earliest showing is always kept), for
     * the version consistency and data latency metrics.
     */
    profileVersions: `${base}pv`,
    /** Hash `<eventId>` -> JSON `[recipientId, ts, minorUnits, currency, channel]` of each human conversion. */
    conversions: `${base}cv`,
    /** Hash `<recipientId>` -> conversions reported by browsers (pixel, beacon), for their per-recipient cap. */
    browserConversions: `${base}bcv`,
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

/** Hash of one click reference (campaign, recipient, channel, template): see createClickRefs. */
export function clickRefKey(ref: string): string {
  return `${ENGAGEMENT_PREFIX}click:${ref}`;
}

/**
 * Set of one recipient's click references (by subject hash: the key names
 * no recipient), so an erasure finds them; it expires with the newest.
 */
export function clickRefsOfKey(subjectHash: string): string {
  return `${ENGAGEMENT_PREFIX}clickrefs:${subjectHash}`;
}

/** An order import's counts (hash) and invalid rows (list). */
export function orderImportKeys(importId: string) {
  return { meta: `${ENGAGEMENT_PREFIX}import:${importId}:meta`, errors: `${ENGAGEMENT_PREFIX}import:${importId}:errors` };
}

