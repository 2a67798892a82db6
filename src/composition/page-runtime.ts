import { createDelayRenderRegistry, type DelayRenderRegistry } from './delay-render-registry.js';
import { createPrefetchRegistry, type PrefetchRegistry } from './prefetch-registry.js';
import type { RuntimeMode } from './runtime-mode.js';
import type { AudioTrack } from './template.schema.js';

export type { RuntimeMode } from './runtime-mode.js';

/**
 * Page-wide state that must be reachable from free functions such as
 * delayRender() (which templates may call outside React), not only through
 * context. One page shows one composition, so one runtime per page.
 */
export interface PageRuntime {
  readonly delays: DelayRenderRegistry;
  /** Assets downloaded by prefetch(); they outlive a reset (the template asked for them as it loaded). */
  readonly prefetches: PrefetchRegistry;
  mode(): RuntimeMode;
  /** Registers an audio track for the mix; the same track registered twice is kept once. */
  addAudioTrack(track: AudioTrack): void;
  audioTracks(): AudioTrack[];
  /** Marks the current frame as changed even without a DOM mutation (a canvas draw, a decoded image). */
  invalidate(): void;
  /** Returns whether invalidate() was called since the last call, and clears the mark. */
  takeInvalidated(): boolean;
  /** Starts afresh for a mount in the given mode. */
  reset(options: { mode: RuntimeMode; delayRenderTimeoutMs: number }): void;
}

/** Creates a runtime; `pageRuntime` below is the page's own. */
export function createPageRuntime(): PageRuntime {
  const delays = createDelayRenderRegistry();
  const prefetches = createPrefetchRegistry();
  const tracks = new Map<string, AudioTrack>();
  let mode: RuntimeMode = 'render';
  let invalidated = false;

  return {
    delays,
    prefetches,
    mode: () => mode,
    addAudioTrack(track) {
      const key = JSON.stringify([
        track.src,
        track.fromFrame,
        track.durationInFrames ?? null,
        track.volume,
        track.startFrom ?? 0,
        track.endAt ?? null,
        track.playbackRate ?? 1,
        track.loop ?? false,
      ]);
      if (!tracks.has(key)) tracks.set(key, Object.freeze({ ...track }));
    },
    audioTracks: () => [...tracks.values()].map((t) => ({ ...t })),
    invalidate() {
      invalidated = true;
    },
    takeInvalidated() {
      const was = invalidated;
      invalidated = false;
      return was;
    },
    reset(options) {
      mode = options.mode;
      tracks.clear();
      invalidated = false;
      // The live player never waits for assets: images simply pop in.
      delays.reset({ enabled: options.mode === 'render', defaultTimeoutMs: options.delayRenderTimeoutMs });
      prefetches.setMode(options.mode);
    },
  };
}

/**
 * The runtime of this page (this bundle). A module-level instance is what lets
 * templates call delayRender() anywhere; the page API and the player reset it
 * when they mount.
 */
export const pageRuntime: PageRuntime = createPageRuntime();
