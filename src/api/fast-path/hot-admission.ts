import type { IncomingMessage } from 'node:http';
import type { ObjectInfo } from '../../storage/index.js';

/** What a route vouches for after it checked a request in full: this path serves this stored object. */
export interface HotGrant {
  storageKey: string;
  info: ObjectInfo;
  /** Epoch ms after which the path must not be served from memory (a Live link's expiry). */
  notAfterMs?: number;
}

const ADMIT = Symbol('mastercut.hotAdmit');

type AdmittingRequest = IncomingMessage & { [ADMIT]?: (grant: HotGrant) => void };

/**
 * Called by the fast path on a request it hands to Express: lets the route
 * that serves it admit exactly this path into the hot cache. Only the fast
 * path can attach it, so an admission is always for the path it matched.
 */
export function attachHotAdmission(req: IncomingMessage, admit: (grant: HotGrant) => void): void {
  (req as AdmittingRequest)[ADMIT] = admit;
}

/**
 * Called by a route (`/v1/outputs/:key`, `/l/:token/:asset`) once it has
 * done every check (token opened, erasure, index says done, object stored):
 * the same path may then be answered from memory for a short while. A no-op
 * when the request did not come through the fast path (no fast path wired,
 * a path it does not handle).
 */
export function admitHot(req: IncomingMessage, grant: HotGrant): void {
  const admit = (req as AdmittingRequest)[ADMIT];
  if (!admit) return;
  // Once per request: a route that admits twice changes nothing.
  (req as AdmittingRequest)[ADMIT] = undefined;
  admit(grant);
}
