/** The engagement events a landing page reports. */
export type LandingEventType = 'page_view' | 'play' | 'progress_25' | 'progress_50' | 'progress_75' | 'complete' | 'share' | 'cta_click';

type PlaybackEventType = Extract<LandingEventType, 'play' | 'progress_25' | 'progress_50' | 'progress_75' | 'complete'>;

/** Which element played: the live player or the MP4. */
export type PlaybackSource = 'player' | 'video';

export interface Tracker {
  send(type: LandingEventType, meta?: Record<string, string | number>): void;
  /**
   * A playback event from either source. Quartiles are reported once per
   * playthrough, so the MP4 taking over from the live player halfway does not
   * report 25% again.
   */
  playback(type: PlaybackEventType, source: PlaybackSource): void;
}

/**
 * Sends events to `eventsUrl` with `navigator.sendBeacon`, which survives the
 * page being left (a CTA click navigates away at once). Without `eventsUrl`
 * nothing is sent. The body never holds props: only the event type, a
 * timestamp and non-personal detail.
 */
export function createTracker(eventsUrl: string | undefined): Tracker {
  const fired = new Set<PlaybackEventType>();
  const send: Tracker['send'] = (type, meta = {}) => {
    if (!eventsUrl || typeof navigator.sendBeacon !== 'function') return;
    try {
      const body = new Blob([JSON.stringify({ type, at: Date.now(), meta })], { type: 'application/json' });
      navigator.sendBeacon(eventsUrl, body);
    } catch {
      // Engagement is best effort; it must never break playback.
    }
  };
  return {
    send,
    playback(type, source) {
      if (type === 'complete') fired.clear();
      else if (type !== 'play') {
        if (fired.has(type)) return;
        fired.add(type);
      }
      send(type, { source });
    },
  };
}
