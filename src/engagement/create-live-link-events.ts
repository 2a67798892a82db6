import type { Logger } from 'pino';
import type { ClientInfo } from './classify-client.js';
import type { EventIngest } from './create-event-ingest.js';
import { serverEventId } from './server-event-id.js';

/** The part of an opened Live link an event needs. */
export interface LiveLinkSubject {
  templateId: string;
  channel: string;
  campaignId?: string | undefined;
  recipientId?: string | undefined;
  /** A sticky link's profile version that this open showed: recorded as `meta.profileVersion`. */
  profileVersion?: number | undefined;
}

export interface LiveLinkEventsOptions {
  /**
   * Repeats of one event by one link within this many ms share an id, so
   * they count once (a mail client fetching the open pixel twice, a double
   * click). Default 1000 ms, the hot-path memo of a Live asset.
   */
  repeatWindowMs?: number;
}

export type LiveLinkEvents = ReturnType<typeof createLiveLinkEvents>;

/**
 * Events the Live URL routes record themselves: `impression` when a poster
 * or GIF is fetched (the email open pixel) and `cta_click` in the CTA
 * redirect. Links without a campaign and recipient record nothing. Never
 * throws and never delays the answer: the promise is for tests.
 */
export function createLiveLinkEvents(deps: { ingest: Pick<EventIngest, 'ingest'>; logger?: Logger }, options: LiveLinkEventsOptions = {}) {
  const windowMs = options.repeatWindowMs ?? 1_000;
  const record = async (subject: LiveLinkSubject, type: 'impression' | 'cta_click', detail: string, client: ClientInfo, detailMeta: Record<string, string>) => {
    if (subject.campaignId === undefined || subject.recipientId === undefined) return;
    const meta = subject.profileVersion === undefined ? detailMeta : { ...detailMeta, profileVersion: subject.profileVersion };
    const ts = Date.now();
    const id = serverEventId([type, subject.campaignId, subject.recipientId, subject.channel, detail, Math.floor(ts / windowMs)]);
    try {
      await deps.ingest.ingest(
        [{ id, type, campaignId: subject.campaignId, recipientId: subject.recipientId, channel: subject.channel, templateId: subject.templateId, ts, meta }],
        { client },
      );
    } catch (err) {
      deps.logger?.warn({ err: err instanceof Error ? err.message : String(err), type }, 'engagement event not recorded');
    }
  };
  return {
    /** A poster or GIF of the link was fetched. */
    impression: (subject: LiveLinkSubject, asset: string, client: ClientInfo) => record(subject, 'impression', asset, client, { asset }),
    /** The link's CTA redirect was followed. */
    ctaClick: (subject: LiveLinkSubject, ctaId: string, client: ClientInfo) => record(subject, 'cta_click', ctaId, client, { ctaId }),
  };
}
