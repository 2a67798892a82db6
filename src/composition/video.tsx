import { useEffect, useLayoutEffect, useRef, type CSSProperties, type ReactNode } from 'react';
import { Img } from './img.js';
import { useRuntime } from './runtime-context.js';
import type { AudioTrack } from './template.schema.js';
import { useTimeline, type Timeline } from './timeline-context.js';
import {
  buildVideoFrameUrl,
  checkVideoTiming,
  videoSourcePosition,
  videoVisibleFrames,
  type VideoTiming,
} from './video-frame-request.js';
import { useVideoConfig } from './video-config-context.js';

export interface VideoProps {
  /** A staticFile() path or an https URL (fetched by the renderer behind the remote-asset guards). */
  src: string;
  /** Frames (at the composition's fps) of the source skipped at its start. Default 0. */
  startFrom?: number;
  /** Frame (at the composition's fps) of the source where it stops; the video then leaves. Default: its end. */
  endAt?: number;
  /** Remotion's newer name for `startFrom`. */
  trimBefore?: number;
  /** Remotion's newer name for `endAt`. */
  trimAfter?: number;
  /** Speed of the source, in (0, 16]. Default 1. */
  playbackRate?: number;
  /** Repeat [startFrom, endAt) (or the whole source) for as long as the video is shown. */
  loop?: boolean;
  /** Leave the video's sound out of the mix. */
  muted?: boolean;
  /** 0 (silent) to 1 (as recorded), more amplifies. Default 1. A function of the frame is not supported. */
  volume?: number;
  /** Frames as PNG with the source's alpha channel (VP8/VP9 WebM with alpha) instead of JPEG. */
  transparent?: boolean;
  style?: CSSProperties;
  className?: string;
}

/** Beyond this drift (seconds) a playing <video> is re-seeked to the player's time. */
const MAX_DRIFT_S = 0.25;

/** Remotion props that have no meaning here: refused by name rather than ignored. */
const UNSUPPORTED = ['toneFrequency', 'acceptableTimeShiftInSeconds', 'pauseWhenBuffering', 'toneMapped', 'imageFormat'] as const;

function resolveTiming(props: VideoProps): VideoTiming {
  const unsupported = UNSUPPORTED.filter((name) => (props as unknown as Record<string, unknown>)[name] !== undefined);
  if (unsupported.length > 0) throw new TypeError(`<Video>: ${unsupported.join(', ')} is not supported`);
  if (typeof props.volume === 'function') throw new TypeError('<Video>: volume must be a number (a function of the frame is not supported)');
  if (props.startFrom !== undefined && props.trimBefore !== undefined) throw new TypeError('<Video>: give startFrom or trimBefore, not both');
  if (props.endAt !== undefined && props.trimAfter !== undefined) throw new TypeError('<Video>: give endAt or trimAfter, not both');
  if (typeof props.src !== 'string' || props.src === '') throw new TypeError('<Video>: src must be a non-empty string');
  const timing: VideoTiming = {
    startFrom: props.startFrom ?? props.trimBefore ?? 0,
    playbackRate: props.playbackRate ?? 1,
    loop: props.loop ?? false,
  };
  const endAt = props.endAt ?? props.trimAfter;
  if (endAt !== undefined) timing.endAt = endAt;
  checkVideoTiming(timing);
  const volume = props.volume ?? 1;
  if (!(Number.isFinite(volume) && volume >= 0)) throw new RangeError(`<Video>: volume must be >= 0, got ${volume}`);
  return timing;
}

/**
 * A video clip, frame-exact in renders: each frame of the composition shows
 * exactly the source frame due at that instant (trim, playbackRate and loop
 * applied), decoded by ffmpeg on the renderer's side and cached per worker;
 * no <video> element is ever seeked during a render. Its sound is mixed into
 * the master unless `muted`. In the live player (landing pages, studio) it
 * plays the same file through a <video> element that follows play, pause and
 * seek: smooth, but not frame-exact.
 */
export function Video(props: VideoProps): ReactNode {
  const { mode, runtime } = useRuntime();
  const timeline = useTimeline();
  const { fps } = useVideoConfig();
  const timing = resolveTiming(props);
  const visible = videoVisibleFrames(timing);
  const volume = props.volume ?? 1;
  const silent = props.muted === true || volume === 0;

  const { src } = props;
  const { offset, end } = timeline;
  const { startFrom, endAt, playbackRate, loop } = timing;
  useLayoutEffect(() => {
    if (mode !== 'render' || silent) return;
    const track = audioTrackFor(absoluteUrl(src), timeline, visible, volume, timing);
    if (track) runtime.addAudioTrack(track);
    // timeline and timing are rebuilt on every render: their fields are the dependencies.
  }, [mode, runtime, src, silent, volume, offset, end, visible, startFrom, endAt, playbackRate, loop]);

  if (timeline.frame >= visible) return null;
  if (mode === 'render') {
    const url = buildVideoFrameUrl({
      src: absoluteUrl(src),
      frame: timeline.frame,
      fps,
      format: props.transparent ? 'png' : 'jpeg',
      ...timing,
    });
    return <Img src={url} style={props.style} className={props.className} alt="" />;
  }
  return <PlayerVideo src={src} timing={timing} volume={volume} muted={silent} style={props.style} className={props.className} />;
}

/**
 * Remotion's name for the frame-exact video. Here every <Video> is decoded
 * outside the browser already, so both names are the same component.
 */
export const OffthreadVideo = Video;

/** The page resolves staticFile() paths against the bundle; the renderer needs the full URL. */
function absoluteUrl(src: string): string {
  // No document when rendered on the server (tests with react-dom/server).
  return new URL(src, typeof document === 'undefined' ? 'http://localhost/' : document.baseURI).href;
}

/** The video's sound on the composition's absolute timeline, or null when it is never heard. */
function audioTrackFor(src: string, timeline: Timeline, visible: number, volume: number, timing: VideoTiming): AudioTrack | null {
  const last = Math.min(timeline.end, timeline.offset + visible);
  if (last <= 0) return null;
  // A negative fromFrame (a Sequence starting before frame 0) is cut by the mixer, after speed and loop.
  const track: AudioTrack = { src, fromFrame: timeline.offset, volume, startFrom: timing.startFrom, playbackRate: timing.playbackRate };
  if (Number.isFinite(last)) track.durationInFrames = last - timeline.offset;
  if (timing.endAt !== undefined) track.endAt = timing.endAt;
  if (timing.loop) track.loop = true;
  return track;
}

interface PlayerVideoProps {
  src: string;
  timing: VideoTiming;
  volume: number;
  muted: boolean;
  style?: CSSProperties;
  className?: string;
}

/** Live player: a <video> element kept near the player's time (re-seeked beyond MAX_DRIFT_S). */
function PlayerVideo({ src, timing, volume, muted, style, className }: PlayerVideoProps): ReactNode {
  const { playing, muted: playerMuted } = useRuntime();
  const { frame } = useTimeline();
  const { fps } = useVideoConfig();
  const ref = useRef<HTMLVideoElement | null>(null);
  const { startFrom, endAt, playbackRate, loop } = timing;

  useEffect(() => {
    const el = ref.current;
    if (!el) return;
    el.muted = muted || playerMuted;
    el.volume = Math.min(1, volume);
    el.playbackRate = playbackRate;
    const sourceFrames = Number.isFinite(el.duration) ? el.duration * fps : undefined;
    const canWrap = !loop || endAt !== undefined || sourceFrames !== undefined;
    const position = canWrap
      ? videoSourcePosition({ startFrom, endAt, playbackRate, loop }, frame, sourceFrames)
      : startFrom + frame * playbackRate;
    const target = position / fps;
    const drift = Math.abs(el.currentTime - target);
    if (!playing) {
      if (!el.paused) el.pause();
      if (drift > 0.5 / fps) el.currentTime = target;
      return;
    }
    if (drift > MAX_DRIFT_S) el.currentTime = target;
    // Autoplay policies may refuse sound before a user gesture: play muted then.
    if (el.paused) {
      el.play().catch(() => {
        el.muted = true;
        el.play().catch(() => undefined);
      });
    }
  }, [frame, fps, playing, muted, playerMuted, volume, startFrom, endAt, playbackRate, loop]);

  return <video ref={ref} src={src} preload="auto" playsInline style={style} className={className} />;
}
