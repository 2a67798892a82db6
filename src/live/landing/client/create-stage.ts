import type { PlayerApi, PlayerHandle } from '../../../composition/index.js';
import type { LandingClientData } from '../landing-page.schema.js';
import type { PlaybackSource, Tracker } from './create-tracker.js';

/** What the stage shows; mirrored on `#mc-stage[data-mode]` for styling and tests. */
export type StageMode = 'loading' | 'live' | 'video' | 'poster';

export interface Stage {
  /** The bundle arrived: play the template live, muted, at once. */
  startLive(api: PlayerApi): void;
  /** The bundle failed: poster with a play button that loads the MP4. */
  showPoster(): void;
  /** The MP4 exists: replace whatever plays with it. */
  videoReady(): void;
}

const QUARTILES = [
  [0.25, 'progress_25'],
  [0.5, 'progress_50'],
  [0.75, 'progress_75'],
] as const;

// Longer than this to load the MP4's metadata and the live player simply stays.
const SWAP_TIMEOUT_MS = 20_000;

const byId = <T extends HTMLElement>(id: string): T => document.getElementById(id) as T;

/**
 * The video area of the landing page and its modes: loading (poster) ->
 * live (the template playing in the page) -> video (the MP4, once rendered),
 * or poster (bundle failed) -> video on a click.
 */
export function createStage(data: LandingClientData, tracker: Tracker): Stage {
  const stage = byId('mc-stage');
  const poster = byId('mc-poster');
  const bigPlay = byId<HTMLButtonElement>('mc-bigplay');
  const controls = byId('mc-controls');
  const toggle = byId<HTMLButtonElement>('mc-toggle');
  const sound = byId<HTMLButtonElement>('mc-sound');
  let mode: StageMode = 'loading';
  let api: PlayerApi | null = null;
  let player: PlayerHandle | null = null;
  let layer: HTMLElement | null = null;
  let muted = true;
  // Set when playback continues on another element: not a new "play".
  let continuing = false;

  const setMode = (next: StageMode): void => {
    mode = next;
    stage.dataset.mode = next;
  };
  const syncToggle = (): void => {
    toggle.classList.toggle('is-playing', player?.isPlaying() ?? false);
  };
  const report = (type: Parameters<Tracker['playback']>[0], source: PlaybackSource): void => {
    if (type === 'play' && continuing) continuing = false;
    else tracker.playback(type, source);
  };

  const dropPlayer = (): void => {
    player?.destroy();
    layer?.remove();
    player = null;
    layer = null;
    controls.hidden = true;
  };

  /** Mounts a player over the current one (if any), then removes the old one: no blank frame in between. */
  const mountPlayer = (from: { frame: number; playing: boolean } | null): void => {
    const live = api!;
    const variant =
      data.variant ?? Object.entries(live.template.variants).find(([, size]) => size.width === data.width && size.height === data.height)?.[0];
    const next = document.createElement('div');
    next.className = 'live';
    stage.appendChild(next);
    let handle: PlayerHandle | undefined;
    try {
      handle = live.createPlayer(next, {
        props: data.props,
        variant,
        autoplay: from === null,
        muted,
        onEvent: (type) => {
          // A template that throws: the poster, once React is done with this render.
          if (type === 'error') return void setTimeout(showPoster, 0);
          // The frame advanced (committed in this animation frame): the page plays, and the held beacons
          // may go. `data-playing` tells tests and bench/live.ts when, without polling the page.
          if (type === 'frame') {
            if (handle?.getFrame()) {
              tracker.release();
              if (!('playing' in stage.dataset)) stage.dataset.playing = '';
            }
            return syncToggle();
          }
          if (type === 'pause') return syncToggle();
          report(type, 'player');
          syncToggle();
        },
      });
    } catch (error) {
      next.remove();
      throw error;
    }
    if (from) {
      handle.seek(from.frame);
      if (from.playing) {
        continuing = true;
        handle.play();
      }
    }
    const old = { player, layer };
    player = handle;
    layer = next;
    old.player?.destroy();
    old.layer?.remove();
    syncToggle();
  };

  const createVideo = (): HTMLVideoElement => {
    const video = document.createElement('video');
    video.controls = true;
    video.playsInline = true;
    video.setAttribute('playsinline', '');
    video.preload = 'auto';
    video.poster = data.posterUrl;
    video.muted = muted;
    video.src = data.videoUrl;
    video.addEventListener('play', () => report('play', 'video'));
    video.addEventListener('playing', tracker.release, { once: true });
    video.addEventListener('ended', () => report('complete', 'video'));
    video.addEventListener('timeupdate', () => {
      const share = video.currentTime / video.duration;
      for (const [at, type] of QUARTILES) if (share >= at) report(type, 'video');
    });
    return video;
  };

  /** Shows the MP4 at once (no live player to hand over from). */
  const showVideoNow = (play: boolean): void => {
    dropPlayer();
    const video = createVideo();
    stage.appendChild(video);
    bigPlay.hidden = true;
    poster.hidden = true;
    setMode('video');
    if (play) video.play().catch(() => undefined);
  };

  /** Loads the MP4 under the live player, seeks it to the player's position, then swaps. */
  const swapFromLive = (): void => {
    const video = createVideo();
    video.classList.add('pending');
    stage.appendChild(video);
    let settled = false;
    const abandon = (): void => {
      if (settled) return;
      settled = true;
      video.removeAttribute('src');
      video.load();
      video.remove();
    };
    const timer = setTimeout(abandon, SWAP_TIMEOUT_MS);
    video.addEventListener('error', abandon, { once: true });
    video.addEventListener(
      'loadedmetadata',
      () => {
        if (settled || mode !== 'live' || !player) return abandon();
        const playing = player.isPlaying();
        const frame = player.getFrame();
        // A finished or untouched player: the MP4 starts from its beginning.
        const at = !playing && (frame === 0 || frame >= data.durationInFrames - 1) ? 0 : frame / data.fps;
        const finish = (): void => {
          if (settled) return;
          settled = true;
          clearTimeout(timer);
          video.classList.remove('pending');
          dropPlayer();
          poster.hidden = true;
          setMode('video');
          if (playing) {
            continuing = true;
            video.play().catch(() => (continuing = false));
          }
        };
        if (at > 0 && at < video.duration) {
          video.addEventListener('seeked', finish, { once: true });
          video.currentTime = at;
        } else finish();
      },
      { once: true },
    );
  };

  const showPoster = (): void => {
    if (mode !== 'loading' && mode !== 'live') return;
    dropPlayer();
    // A cold page leaves the poster unloaded (it waits on the render); load it now.
    if (!poster.getAttribute('src') && poster.dataset.src) poster.setAttribute('src', poster.dataset.src);
    poster.hidden = false;
    bigPlay.hidden = false;
    setMode('poster');
    // Nothing will play without a click: nothing to hold the beacons for.
    tracker.release();
  };

  bigPlay.addEventListener('click', () => {
    // Within the click: the MP4 may play with sound.
    muted = false;
    showVideoNow(true);
  });
  toggle.addEventListener('click', () => {
    if (!player) return;
    if (player.isPlaying()) player.pause();
    else player.play();
  });
  sound.addEventListener('click', () => {
    if (!player) return;
    muted = !muted;
    sound.classList.toggle('is-on', !muted);
    // The player takes `muted` when it is created: recreate it where it was.
    mountPlayer({ frame: player.getFrame(), playing: player.isPlaying() });
  });

  return {
    startLive(loaded) {
      if (mode !== 'loading') return;
      api = loaded;
      try {
        mountPlayer(null);
      } catch {
        return showPoster();
      }
      setMode('live');
      poster.hidden = true;
      controls.hidden = false;
      sound.hidden = !loaded.template.audio;
    },
    showPoster,
    videoReady() {
      if (mode === 'live') swapFromLive();
      // Still loading: the MP4 plays at once, muted, as the live player would have.
      else if (mode === 'loading') showVideoNow(true);
      else if (mode === 'poster') showVideoNow(false);
    },
  };
}
