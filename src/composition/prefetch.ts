import { pageRuntime } from './page-runtime.js';
import type { Prefetched, PrefetchOptions } from './prefetch-registry.js';

/**
 * Downloads an asset ahead of time for the live player, so that a picture or
 * a sound shows the moment its Sequence starts instead of popping in:
 * <Img> and <Audio> with the same `src` then load the downloaded copy. Call
 * it when the template loads (module level) or in an effect, and `free()` it
 * when it is no longer needed. When rendering frames it does nothing and
 * `waitUntilDone()` resolves with `src`: every frame waits for its assets.
 *
 * @example const { free } = prefetch(staticFile('jingle.m4a'));
 */
export function prefetch(src: string, options?: PrefetchOptions): Prefetched {
  return pageRuntime.prefetches.add(src, options);
}
