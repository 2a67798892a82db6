/** What the live player reports to its host page. */
export type PlayerEventType = 'play' | 'pause' | 'progress_25' | 'progress_50' | 'progress_75' | 'complete' | 'frame';

export interface PlaybackClockOptions {
  fps: number;
  durationInFrames: number;
  loop?: boolean;
}

/**
 * The timekeeping of the live player, apart from the DOM so it can be tested.
 * The frame is computed from the wall clock (frame = floor(elapsed * fps)), so
 * a slow tab skips frames instead of drifting. Times are milliseconds.
 */
export interface PlaybackClock {
  frame(): number;
  isPlaying(): boolean;
  play(now: number): PlayerEventType[];
  pause(now: number): PlayerEventType[];
  seek(frame: number, now: number): PlayerEventType[];
  /** Advances to the frame due at `now`; events in the order they happened. */
  tick(now: number): PlayerEventType[];
}

const QUARTILES: ReadonlyArray<[number, PlayerEventType]> = [
  [0.25, 'progress_25'],
  [0.5, 'progress_50'],
  [0.75, 'progress_75'],
];

// Guards floor() against 2.9999999 when a frame boundary is hit exactly.
const EPSILON = 1e-6;

/** Creates a paused clock at frame 0. */
export function createPlaybackClock(options: PlaybackClockOptions): PlaybackClock {
  const { fps, durationInFrames, loop = false } = options;
  if (!(fps > 0) || !(Number.isInteger(durationInFrames) && durationInFrames > 0)) {
    throw new RangeError(`createPlaybackClock(): fps must be > 0 and durationInFrames an integer > 0`);
  }
  const frameMs = 1000 / fps;
  let frame = 0;
  let playing = false;
  let ended = false;
  /** The wall-clock time at which frame 0 was (or would have been) shown. */
  let anchor = 0;
  const fired = new Set<PlayerEventType>();

  const quartiles = (upTo: number, events: PlayerEventType[]): void => {
    for (const [share, type] of QUARTILES) {
      if (!fired.has(type) && (upTo + 1) / durationInFrames >= share) {
        fired.add(type);
        events.push(type);
      }
    }
  };
  const complete = (events: PlayerEventType[]): void => {
    quartiles(durationInFrames - 1, events);
    events.push('complete');
    // The next playthrough reports its quartiles again.
    fired.clear();
  };

  return {
    frame: () => frame,
    isPlaying: () => playing,
    play(now) {
      if (playing) return [];
      const events: PlayerEventType[] = [];
      if (ended) {
        ended = false;
        frame = 0;
        events.push('frame');
      }
      playing = true;
      anchor = now - frame * frameMs;
      return ['play', ...events];
    },
    pause() {
      if (!playing) return [];
      playing = false;
      return ['pause'];
    },
    seek(target, now) {
      const next = Math.min(durationInFrames - 1, Math.max(0, Math.floor(target)));
      ended = false;
      anchor = now - next * frameMs;
      if (next === frame) return [];
      frame = next;
      return ['frame'];
    },
    tick(now) {
      if (!playing) return [];
      const events: PlayerEventType[] = [];
      let due = Math.floor((now - anchor) / frameMs + EPSILON);
      if (due >= durationInFrames) {
        if (loop) {
          const laps = Math.floor(due / durationInFrames);
          complete(events);
          anchor += laps * durationInFrames * frameMs;
          due -= laps * durationInFrames;
        } else {
          due = durationInFrames - 1;
          if (due !== frame) {
            frame = due;
            events.push('frame');
          }
          complete(events);
          playing = false;
          ended = true;
          return events;
        }
      }
      if (due !== frame) {
        frame = due;
        events.push('frame');
      }
      quartiles(frame, events);
      return events;
    },
  };
}
