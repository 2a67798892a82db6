import type { PlayerApi, PlayerHandle } from '../../composition/index.js';
import type { ZkBeaconType } from './send-beacon.js';

/** What the stage shows; mirrored on `#zk-stage[data-mode]` for styling and tests. */
export type ZkStageMode = 'loading' | 'live' | 'busy' | 'error';

export interface ZkStage {
  /** Plays the template live, muted, from `at` (default: the start, autoplaying). */
  start(api: PlayerApi, props: Record<string, unknown>, at?: { frame: number; playing: boolean }): void;
  /** Takes the player down (the download needs the page's runtime); returns where it was. */
  stop(): { frame: number; playing: boolean };
  setMode(mode: ZkStageMode): void;
}

const byId = <T extends HTMLElement>(id: string): T => document.getElementById(id) as T;

/**
 * The video area of the zero-knowledge page: the template playing in the
 * page (player.js), play/pause and sound. The current frame is mirrored on
 * `#zk-stage[data-frame]`. Playback events go to `report` (the beacons).
 */
export function createZkStage(variant: string, report: (type: ZkBeaconType) => void): ZkStage {
  const stage = byId('zk-stage');
  const controls = byId('zk-controls');
  const toggle = byId<HTMLButtonElement>('zk-toggle');
  const sound = byId<HTMLButtonElement>('zk-sound');
  let player: PlayerHandle | null = null;
  let layer: HTMLElement | null = null;
  let current: { api: PlayerApi; props: Record<string, unknown> } | null = null;
  let muted = true;
  // Set while a player made again (sound, after a download) continues playback: that is no new "play".
  let resuming = false;

  const setMode = (mode: ZkStageMode): void => {
    stage.dataset.mode = mode;
    controls.hidden = mode !== 'live';
  };
  const syncToggle = (): void => void toggle.classList.toggle('is-playing', player?.isPlaying() ?? false);

  const stop = (): { frame: number; playing: boolean } => {
    const at = { frame: player?.getFrame() ?? 0, playing: player?.isPlaying() ?? false };
    player?.destroy();
    layer?.remove();
    player = null;
    layer = null;
    return at;
  };

  const start: ZkStage['start'] = (api, props, at) => {
    stop();
    current = { api, props };
    layer = document.createElement('div');
    layer.className = 'live';
    stage.appendChild(layer);
    player = api.createPlayer(layer, {
      props,
      variant,
      autoplay: at === undefined,
      muted,
      onFrame: (frame) => (stage.dataset.frame = String(frame)),
      onEvent: (type) => {
        if (type === 'error') return setMode('error');
        if (type === 'play' && resuming) resuming = false;
        else if (type !== 'frame' && type !== 'pause') report(type);
        syncToggle();
      },
    });
    if (at) {
      player.seek(at.frame);
      resuming = at.playing;
      if (at.playing) player.play();
    }
    sound.hidden = !api.template.audio;
    setMode('live');
    syncToggle();
  };

  toggle.addEventListener('click', () => {
    if (!player) return;
    if (player.isPlaying()) player.pause();
    else player.play();
  });
  sound.addEventListener('click', () => {
    if (!player || !current) return;
    muted = !muted;
    sound.classList.toggle('is-on', !muted);
    // The player takes `muted` when it is made: make it again where it was.
    start(current.api, current.props, { frame: player.getFrame(), playing: player.isPlaying() });
  });
  return { start, stop, setMode };
}
