import type { Redis } from 'ioredis';
import { isObject } from './is-object.js';
import type { ClientInfo } from './classify-client.js';
import type { EventIngest, IngestResult } from './create-event-ingest.js';
import type { LiveLinkSubject } from './create-live-link-events.js';
import { engagementKeys } from './engagement-keys.js';
import { tombstoneKey } from '../live/index.js';
import { countBrowserConversions, scriptRunner } from '../redis/index.js';

/** What a browser may report: its own page's events, and a conversion on the brand's page. Deliveries, opens and clicks are recorded by the server. */
export const BROWSER_EVENT_TYPES: ReadonlySet<string> = new Set(['page_view', 'play', 'progress_25', 'progress_50', 'progress_75', 'complete', 'share', 'conversion']);

export interface BrowserEventsDeps {
  ingest: Pick<EventIngest, 'ingest'>;
  redis: Redis;
  /**
   * Opens a Live URL token (authenticity, expiry, erasure); throws
   * TOKEN_INVALID (403) or TOKEN_EXPIRED / SUBJECT_ERASED (410). With the
   * `pin` a sticky link's page names, the subject's `profileVersion` is the
   * version that pin keeps, only when the pin is the token's recipient's
   * own (else it is left out: no version is recorded).
   */
  openToken?: (token: string, pin?: string) => Promise<LiveLinkSubject>;
  /** Opens a click reference (createClickRefs, plus erasure); throws TOKEN_INVALID. */
  openClick?: (ref: string) => Promise<LiveLinkSubject>;
}

export interface BrowserEventsOptions {
  /** Conversions browsers may report per campaign recipient (pixel and beacon together). Default 20. */
  maxConversionsPerRecipient?: number;
  /** How long that count is kept. Default 90 days. */
  retentionSeconds?: number;
}

export type BrowserEvents = ReturnType<typeof createBrowserEvents>;

/**
 * Events from browsers (landing-page beacons, the conversion pixel): each
 * names the Live URL `token` it comes from, or (conversions only) the
 * `click` reference the CTA redirect gave the brand's page. Every token or
 * reference is opened once per request, and a bad one refuses the whole
 * request before anything is stored; the subject (campaign, recipient,
 * channel, template) comes from it and the time from the server clock, so
 * a page can neither speak for another recipient nor backdate. A
 * conversion's id comes from its order id, so a replayed pixel is a
 * duplicate, and a recipient's browser-reported conversions are capped.
 */
export function createBrowserEvents(deps: BrowserEventsDeps, options: BrowserEventsOptions = {}) {
  const cap = options.maxConversionsPerRecipient ?? 20;
  const ttl = options.retentionSeconds ?? 90 * 86_400;
  const countConversions = scriptRunner(deps.redis, countBrowserConversions);

  async function openAll(events: unknown[]): Promise<Map<string, LiveLinkSubject>> {
    const openings = new Map<string, Promise<LiveLinkSubject>>();
    for (const event of events) {
      if (!isObject(event)) continue;
      if (typeof event.token === 'string' && deps.openToken) {
        const pin = pinOf(event);
        const key = tokenKey(event.token, pin);
        if (!openings.has(key)) openings.set(key, pin === undefined ? deps.openToken(event.token) : deps.openToken(event.token, pin));
      }
      if (event.type === 'conversion' && typeof event.click === 'string' && deps.openClick && !openings.has(`c:${event.click}`)) openings.set(`c:${event.click}`, deps.openClick(event.click));
    }
    const subjects = new Map<string, LiveLinkSubject>();
    // A refusal wins over the rest: no part of a request with a forged token is stored.
    await Promise.all([...openings].map(async ([key, opening]) => subjects.set(key, await opening)));
    return subjects;
  }

  return {
    /** Ingests a browser batch; `source` is `beacon` (POST /v1/events) or `pixel`. */
    async ingest(events: unknown[], client: ClientInfo, source: 'beacon' | 'pixel'): Promise<IngestResult> {
      const subjects = await openAll(events);
      const now = Date.now();
      const rejected: IngestResult['rejected'] = [];
      const candidates: Record<string, unknown>[] = [];
      const indexOf: number[] = [];
      const counted = new Map<string, number>();
      for (const [index, event] of events.entries()) {
        if (!isObject(event)) {
          rejected.push({ index, message: 'an event must be a JSON object' });
          continue;
        }
        if (typeof event.type !== 'string' || !BROWSER_EVENT_TYPES.has(event.type)) {
          rejected.push({ index, message: `type: a page may report ${[...BROWSER_EVENT_TYPES].join(', ')}` });
          continue;
        }
        const conversion = event.type === 'conversion';
        const subject = typeof event.token === 'string' ? subjects.get(tokenKey(event.token, pinOf(event))) : conversion && typeof event.click === 'string' ? subjects.get(`c:${event.click}`) : undefined;
        if (!subject) {
          rejected.push({ index, message: conversion ? 'click: a conversion names the click reference or the Live URL token it comes from (or send the API key)' : 'token: a browser event names its Live URL token (or send the API key)' });
          continue;
        }
        if (subject.campaignId === undefined || subject.recipientId === undefined) {
          rejected.push({ index, message: 'token: this Live URL names no campaign and recipient; nothing is recorded' });
          continue;
        }
        const base = { type: event.type, campaignId: subject.campaignId, recipientId: subject.recipientId, channel: subject.channel, templateId: subject.templateId, ts: now, meta: shownMeta(event.meta, subject) };
        if (conversion) {
          const key = `${subject.campaignId}\n${subject.recipientId}`;
          const already = counted.get(key) ?? Number((await deps.redis.hget(engagementKeys(subject.campaignId).browserConversions, subject.recipientId)) ?? 0);
          if (already >= cap) {
            rejected.push({ index, message: `conversion: at most ${cap} conversions reported by browsers per recipient; report more from your backend with the API key` });
            continue;
          }
          counted.set(key, already + 1);
          candidates.push({ ...base, value: event.value, currency: event.currency, orderId: event.orderId });
        } else {
          candidates.push({ ...base, id: event.id });
        }
        indexOf.push(index);
      }
      const result = await deps.ingest.ingest(candidates, { client, source });
      // Only counted conversions use the cap: a scanner's (a bot) is stored apart and counts nowhere.
      const stored = result.events.filter((e) => e.type === 'conversion' && !e.bot);
      if (stored.length > 0) {
        const keys = stored.flatMap((e) => [engagementKeys(e.campaignId).browserConversions, tombstoneKey(e.recipientId)]);
        await countConversions(keys, [ttl, ...stored.map((e) => e.recipientId)]);
      }
      rejected.push(...result.rejected.map((r) => ({ index: indexOf[r.index]!, message: r.message })));
      rejected.sort((a, b) => a.index - b.index);
      return { ...result, rejected };
    },
  };
}

/** A beacon's pin: a stored-props id (base64url), or undefined when absent or malformed. */
function pinOf(event: Record<string, unknown>): string | undefined {
  return typeof event.pin === 'string' && PIN_PATTERN.test(event.pin) ? event.pin : undefined;
}
const PIN_PATTERN = /^[A-Za-z0-9_-]{22}$/;

function tokenKey(token: string, pin: string | undefined): string {
  return `t:${token}\n${pin ?? ''}`;
}

/**
 * A page's meta, with `profileVersion` only from the server: the version
 * its pin keeps. A version the page wrote itself is dropped (a page could
 * otherwise claim any version and skew the consistency metrics).
 */
function shownMeta(meta: unknown, subject: LiveLinkSubject): Record<string, unknown> {
  const { profileVersion: _claimed, ...rest } = isObject(meta) ? meta : {};
  return subject.profileVersion === undefined ? rest : { ...rest, profileVersion: subject.profileVersion };
}
