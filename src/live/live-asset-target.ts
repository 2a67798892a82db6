import { deliverableKey } from '../cache/index.js';
import { CHANNEL_PROFILES, type DeliverableSpec } from '../encode/index.js';
import { AppError } from '../errors/index.js';
import { deliverableStorageKey } from '../renders/index.js';
import type { LiveLink } from './live-link-resolver.js';

/** The files a Live link serves besides its page. */
export const LIVE_ASSETS = ['video.mp4', 'poster.jpg', 'preview.gif', 'still.png'] as const;
export type LiveAsset = (typeof LIVE_ASSETS)[number];

/** What one asset of one link is: the master itself, or a deliverable cut from it. */
export type AssetTarget =
  | { kind: 'master'; key: string; storageKey: string }
  | { kind: 'deliverable'; key: string; storageKey: string; spec: DeliverableSpec };

const KIND_OF: Record<LiveAsset, DeliverableSpec['kind']> = {
  'video.mp4': 'video',
  'poster.jpg': 'poster',
  'preview.gif': 'gif',
  'still.png': 'still',
};

/** Used when the link's channel has no deliverable of that kind (a web link still has a GIF for sharing). */
const FALLBACK_SPEC: Record<Exclude<LiveAsset, 'video.mp4'>, DeliverableSpec> = {
  'poster.jpg': CHANNEL_PROFILES.web.deliverables[1] as DeliverableSpec,
  'preview.gif': CHANNEL_PROFILES.email.deliverables[1] as DeliverableSpec,
  'still.png': CHANNEL_PROFILES.callcenter.deliverables[0] as DeliverableSpec,
};

/**
 * Maps an asset name to what serves it. `video.mp4` is the master whenever
 * the channel's MP4 would be a copy of it (same size, no byte budget): the
 * master is the file a cold request can stream while it renders. Otherwise
 * (SMS at 480x854 under 600 KB) it is the channel's own video deliverable.
 */
export function liveAssetTarget(link: LiveLink, asset: string): AssetTarget {
  if (!(LIVE_ASSETS as readonly string[]).includes(asset)) throw new AppError('NOT_FOUND', 'no such asset');
  const name = asset as LiveAsset;
  const master = { kind: 'master' as const, key: link.master.renderKey, storageKey: link.master.storageKey };
  const own = link.profile.deliverables.find((spec) => spec.kind === KIND_OF[name] && (spec.kind !== 'video' || spec.container === 'mp4'));
  if (name === 'video.mp4') {
    if (!own || own.kind !== 'video') return master;
    const size = link.template.variants[link.profile.variant];
    const copy = own.codec === 'h264' && own.maxBytes === undefined && size?.width === own.width && size.height === own.height;
    if (copy) return master;
    return deliverable(link, own);
  }
  return deliverable(link, own ?? FALLBACK_SPEC[name]);
}

function deliverable(link: LiveLink, spec: DeliverableSpec): AssetTarget {
  const key = deliverableKey(link.master.renderKey, spec);
  return { kind: 'deliverable', key, storageKey: deliverableStorageKey(key, spec.name), spec };
}
