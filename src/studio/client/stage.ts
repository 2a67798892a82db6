import type { PlayerApi, PlayerHandle } from '../../composition/index.js';
import { el } from './dom.js';

export interface StageOptions {
  container: HTMLElement;
  /** `/bundles/<id>/<version>/`: every variant plays the same bundle. */
  bundleBase: string;
  variants: Record<string, { width: number; height: number }>;
  active: string;
  props: Record<string, unknown>;
  frame: number;
  /** The active variant's frame, as it plays. */
  onFrame: (frame: number) => void;
  onEnded: () => void;
  onSelect: (variant: string) => void;
}

export interface Stage {
  /** Resolves once every variant's player is mounted at the starting frame. */
  readonly ready: Promise<void>;
  setProps(props: Record<string, unknown>): void;
  setActive(variant: string): void;
  play(): void;
  pause(): void;
  seek(frame: number): void;
  frame(): number;
  isPlaying(): boolean;
  layout(): void;
  destroy(): void;
}

interface Slot {
  variant: string;
  box: HTMLElement;
  iframe: HTMLIFrameElement;
  root?: HTMLElement;
  /** The live player the bundle installs as `window.__mastercutPlayer` (src/composition/player.tsx). */
  api?: PlayerApi;
  player?: PlayerHandle;
}

/**
 * Every variant of a template side by side, each in its own iframe (one
 * page per composition, as the runtime expects), playing the live player.
 * The active variant is the one heard, rendered and followed by the
 * timeline; the others play along and are re-synced on pause and seek.
 */
export function createStage(o: StageOptions): Stage {
  let props = o.props;
  let active = o.active;
  let frame = o.frame;
  let playing = false;
  const slots: Slot[] = [];
  o.container.replaceChildren();

  const mount = (slot: Slot): void => {
    slot.player?.destroy();
    // A new player reports frame 0 as it starts: not a move of the timeline.
    let starting = true;
    slot.player = slot.api!.createPlayer(slot.root!, {
      variant: slot.variant,
      props,
      muted: slot.variant !== active,
      onFrame: (f) => {
        if (starting || slot.variant !== active) return;
        frame = f;
        o.onFrame(f);
      },
      onEvent: (type) => {
        if (slot.variant === active && type === 'complete') {
          playing = false;
          o.onEnded();
        }
      },
    });
    starting = false;
    slot.player.seek(frame);
    if (playing) slot.player.play();
  };
  const remountAll = (): void => {
    for (const slot of slots) if (slot.api) mount(slot);
    o.container.dataset.generation = String(Number(o.container.dataset.generation ?? 0) + 1);
  };

  const loads = Object.entries(o.variants).map(([variant, size]) => {
    const iframe = el('iframe', undefined, { title: `${variant} ${size.width}x${size.height}`, 'data-variant': variant });
    const box = el('div', undefined, { class: 'variant', 'data-variant': variant, 'data-active': String(variant === active) });
    box.append(el('span', `${variant} ${size.width}×${size.height}`), iframe);
    box.onclick = () => o.onSelect(variant);
    const slot: Slot = { variant, box, iframe };
    slots.push(slot);
    o.container.append(box);
    return new Promise<void>((resolve, reject) => {
      iframe.onload = () => {
        const win = iframe.contentWindow;
        if (!win?.__mastercutPlayer) return reject(new Error(`the ${variant} player did not load`));
        const root = win.document.getElementById('root')!;
        root.style.cssText = 'position:fixed;inset:0;overflow:hidden';
        slot.root = root;
        slot.api = win.__mastercutPlayer;
        // Clicks land in the iframe's document, not on the box around it.
        win.document.addEventListener('click', () => o.onSelect(variant));
        mount(slot);
        resolve();
      };
      iframe.src = `${o.bundleBase}index.html`;
    });
  });

  const layout = (): void => {
    const gap = 16;
    const available = Math.max(200, o.container.clientWidth - gap * (slots.length - 1) - 8 * slots.length);
    const aspects = slots.map((s) => o.variants[s.variant]!.width / o.variants[s.variant]!.height);
    const height = Math.floor(Math.min(Math.max(180, window.innerHeight * 0.55), available / aspects.reduce((a, b) => a + b, 0)));
    slots.forEach((slot, i) => {
      slot.iframe.style.height = `${height}px`;
      slot.iframe.style.width = `${Math.floor(height * aspects[i]!)}px`;
    });
  };
  layout();

  const ready = Promise.all(loads).then(() => {
    o.container.dataset.generation = String(Number(o.container.dataset.generation ?? 0) + 1);
  });

  return {
    ready,
    setProps(next) {
      props = next;
      remountAll();
    },
    setActive(variant) {
      active = variant;
      for (const slot of slots) slot.box.dataset.active = String(slot.variant === variant);
      // Muting is a player option: the players are made again, at the same frame.
      remountAll();
    },
    play() {
      playing = true;
      for (const slot of slots) {
        slot.player?.seek(frame);
        slot.player?.play();
      }
    },
    pause() {
      playing = false;
      for (const slot of slots) slot.player?.pause();
      for (const slot of slots) slot.player?.seek(frame);
    },
    seek(target) {
      frame = target;
      for (const slot of slots) slot.player?.seek(target);
    },
    frame: () => frame,
    isPlaying: () => playing,
    layout,
    destroy() {
      for (const slot of slots) slot.player?.destroy();
      o.container.replaceChildren();
    },
  };
}
