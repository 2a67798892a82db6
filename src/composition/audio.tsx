import { useEffect, useLayoutEffect, useRef, type ReactNode } from 'react';
import { useRuntime } from './runtime-context.js';
import { useTimeline } from './timeline-context.js';
import { useVideoConfig } from './video-config-context.js';
import type { AudioTrack } from './template.schema.js';

export interface AudioProps {
  /** A staticFile() path or a URL. */
  src: string;
  /** 0 (silent) to 1 (as recorded); default 1. */
  volume?: number;
  /** Frames of the source to skip at its start; default 0. */
  startFrom?: number;
}

/** Beyond this drift (seconds) a playing element is re-seeked to the player's time. */
const MAX_DRIFT_S = 0.25;

/**
 * A sound starting where its enclosing Sequence starts. When rendering it
 * shows nothing and registers an AudioTrack for the mix; in the live player
 * it plays a hidden audio element that follows play, pause and seek.
 */
export function Audio({ src, volume = 1, startFrom = 0 }: AudioProps): ReactNode {
  const { mode, runtime, playing, muted } = useRuntime();
  const timeline = useTimeline();
  const { fps } = useVideoConfig();
  if (!(Number.isFinite(volume) && volume >= 0)) throw new RangeError(`<Audio>: volume must be >= 0, got ${volume}`);
  if (!(Number.isInteger(startFrom) && startFrom >= 0)) {
    throw new RangeError(`<Audio>: startFrom must be an integer >= 0, got ${startFrom}`);
  }

  // Render mode: the track's place on the composition's absolute timeline.
  const { offset, end } = timeline;
  useLayoutEffect(() => {
    if (mode !== 'render') return;
    // A Sequence starting before frame 0 cuts the beginning of the sound.
    const cut = Math.max(0, -offset);
    const track: AudioTrack = { src, fromFrame: offset + cut, volume };
    if (Number.isFinite(end)) track.durationInFrames = end - offset - cut;
    if (startFrom + cut > 0) track.startFrom = startFrom + cut;
    if (track.durationInFrames === undefined || track.durationInFrames > 0) runtime.addAudioTrack(track);
  }, [mode, runtime, src, volume, startFrom, offset, end]);

  // Player mode: one detached <audio> element per source (it is not in the DOM tree).
  const element = useRef<HTMLAudioElement | null>(null);
  useEffect(() => {
    if (mode !== 'player') return;
    const el = document.createElement('audio');
    el.preload = 'auto';
    el.src = runtime.prefetches.resolve(src);
    element.current = el;
    return () => {
      el.pause();
      el.removeAttribute('src');
      el.load();
      element.current = null;
    };
  }, [mode, runtime, src]);

  const frame = timeline.frame;
  useEffect(() => {
    const el = element.current;
    if (mode !== 'player' || !el) return;
    el.volume = Math.min(1, volume);
    el.muted = muted;
    const target = (frame + startFrom) / fps;
    if (!playing) {
      if (!el.paused) el.pause();
      if (Math.abs(el.currentTime - target) > 1 / fps) el.currentTime = target;
      return;
    }
    if (Math.abs(el.currentTime - target) > MAX_DRIFT_S) el.currentTime = target;
    // Autoplay policies may refuse sound before a user gesture: stay silent then.
    if (el.paused) el.play().catch(() => undefined);
  }, [mode, frame, fps, playing, muted, volume, startFrom]);

  return null;
}
