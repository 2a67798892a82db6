import type { Logger } from 'pino';
import { serverEventId, type SpineEvent } from '../engagement/index.js';
import type { StickyRefresher } from '../live/index.js';
import type { ProfileVersion } from '../recipients/index.js';

interface ProfileChangeDeps {
  /** The CRM webhooks' sink (`spine.batch` messages to subscribed endpoints). */
  webhookSink: (events: SpineEvent[]) => Promise<unknown>;
  stickyRefresher: Pick<StickyRefresher, 'refresh'>;
  logger: Logger;
}

/**
 * What a profile's new version sets off: `recipient.updated` to subscribed
 * webhook endpoints, then the refresh on-update sticky links' masters, each
 * announced as `render.refreshed` (requested). A failure is logged, never
 * thrown: the profile write that caused it has already succeeded.
 */
export function createProfileChangeHandler({ webhookSink, stickyRefresher, logger }: ProfileChangeDeps): (changed: ProfileVersion) => Promise<void> {
  return async ({ recipientId, version, hash }) => {
    const spine = (type: SpineEvent['type'], parts: (string | number)[], extra: Partial<SpineEvent>): SpineEvent => ({
      id: serverEventId([type, recipientId, version, ...parts]),
      type,
      recipientId,
      ts: Date.now(),
      meta: { version },
      bot: false,
      ...extra,
    });
    try {
      await webhookSink([spine('recipient.updated', [], { meta: { version, hash } })]);
      const refreshed = await stickyRefresher.refresh(recipientId);
      const events = refreshed.requested.map((r) =>
        spine('render.refreshed', [r.templateId, r.channel, r.campaignId ?? ''], {
          templateId: r.templateId,
          channel: r.channel,
          ...(r.campaignId ? { campaignId: r.campaignId } : {}),
          meta: { version: refreshed.version ?? version, renderKey: r.renderKey },
        }),
      );
      if (events.length > 0) await webhookSink(events);
    } catch (err) {
      logger.warn({ err: err instanceof Error ? err.message : String(err) }, 'profile change: webhook or sticky refresh failed');
    }
  };
}
