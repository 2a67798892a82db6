/** The engagement events a zero-knowledge page reports; the player's own, and the page view. */
export type ZkBeaconType = 'page_view' | 'play' | 'progress_25' | 'progress_50' | 'progress_75' | 'complete';

/** A random event id (128 bits, base64url): the server counts a re-sent beacon once. */
function eventId(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return btoa(String.fromCharCode(...bytes)).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

/**
 * A beacon sender: `{token, id, type, ts, meta}` as text/plain with
 * `navigator.sendBeacon` (no preflight; survives leaving the page). The
 * token is the link's clear header (`zk1.<header>`: pseudonymous id,
 * template, channel, campaign); a beacon never carries props, the key or
 * the sealed part. Without `eventsUrl` nothing is sent.
 */
export function createBeacon(eventsUrl: string | undefined, token: string): (type: ZkBeaconType, meta?: Record<string, string>) => void {
  return (type, meta = {}) => {
    if (!eventsUrl || typeof navigator.sendBeacon !== 'function') return;
    try {
      navigator.sendBeacon(eventsUrl, JSON.stringify({ token, id: eventId(), type, ts: Date.now(), meta }));
    } catch {
      // Engagement is best effort; it must never break playback.
    }
  };
}
