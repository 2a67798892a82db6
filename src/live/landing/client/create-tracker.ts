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
  /** Sends what was held and everything after it at once (see createTracker). */
  release(): void;
}

/** Held beacons go out after this long even when nothing has played (a paused or failed page). */
const HOLD_LIMIT_MS = 5_000;

/** A random event id (128 bits, base64url): the server counts a re-sent beacon once. */
function eventId(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return btoa(String.fromCharCode(...bytes)).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

/**
 * Sends events to `eventsUrl` with `navigator.sendBeacon`, which survives the
 * page being left (a CTA click navigates away at once). Without `eventsUrl`
 * nothing is sent. The body is `{token?, pin?, id, type, ts, meta}` as text/plain (a
 * string beacon: no CORS preflight); the server learns who it is about from
 * the Live URL token, so it never holds props, only the event type and
 * non-personal detail. A sticky link's page names its `pin`, so the server
 * records the profile version the page showed (the version that pin keeps).
 *
 * Beacons are held until `release()` (the stage calls it once the page plays),
 * the page is hidden or left (sendBeacon still goes out then), or
 * HOLD_LIMIT_MS passed: a beacon sent at once is a request, a body and
 * a JSON.stringify competing with `player.js` and the first frame on a cold
 * page (bench/live.ts). Each keeps the time it happened (`ts`).
 */
export function createTracker(eventsUrl: string | undefined, token?: string, pin?: string): Tracker & { readonly token: string | undefined } {
  const fired = new Set<PlaybackEventType>();
  let held: (() => void)[] | null = [];
  const beacon = (type: LandingEventType, meta: Record<string, string | number>, ts: number): void => {
    if (!eventsUrl || typeof navigator.sendBeacon !== 'function') return;
    try {
      navigator.sendBeacon(eventsUrl, JSON.stringify({ token, ...(pin ? { pin } : {}), id: eventId(), type, ts, meta }));
    } catch {
      // Engagement is best effort; it must never break playback.
    }
  };
  const send: Tracker['send'] = (type, meta = {}) => {
    const ts = Date.now();
    if (held) held.push(() => beacon(type, meta, ts));
    else beacon(type, meta, ts);
  };
  const release = (): void => {
    if (!held) return;
    const waiting = held;
    held = null;
    clearTimeout(limit);
    removeEventListener('pagehide', release);
    document.removeEventListener('visibilitychange', onHidden);
    for (const go of waiting) go();
  };
  // Mobile browsers may never fire pagehide for a page that is switched away from and killed.
  const onHidden = (): void => {
    if (document.visibilityState === 'hidden') release();
  };
  const limit = setTimeout(release, HOLD_LIMIT_MS);
  addEventListener('pagehide', release);
  document.addEventListener('visibilitychange', onHidden);
  return {
    token,
    send,
    release,
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
