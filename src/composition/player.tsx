import { createElement, type ComponentType } from 'react';
import { flushSync } from 'react-dom';
import { createRoot } from 'react-dom/client';
import { Audio } from './audio.js';
import { CompositionRoot } from './composition-root.js';
import { loadTemplateFonts } from './load-template-fonts.js';
import { pageRuntime } from './page-runtime.js';
import { createPlaybackClock, type PlayerEventType } from './playback-clock.js';
import { staticFile } from './static-file.js';
import type { Template, VideoConfig } from './template.schema.js';

export interface PlayerOptions {
  /** Defaults to the template's default variant. */
  variant?: string;
  /** Already validated props; defaults to the template's defaultProps. */
  props?: unknown;
  autoplay?: boolean;
  loop?: boolean;
  muted?: boolean;
  onFrame?: (frame: number) => void;
  onEvent?: (type: PlayerEventType | 'error', detail: { frame: number; message?: string }) => void;
}

export interface PlayerHandle {
  play(): void;
  pause(): void;
  seek(frame: number): void;
  getFrame(): number;
  isPlaying(): boolean;
  destroy(): void;
}

/** Scales the composition to fit the stage, centred, keeping its aspect ratio; returns the scale. */
function fit(stage: HTMLElement, frameEl: HTMLElement, width: number, height: number): number {
  const sw = stage.clientWidth;
  const sh = stage.clientHeight;
  const scale = Math.max(0, Math.min(sw / width, sh / height));
  const x = (sw - width * scale) / 2;
  const y = (sh - height * scale) / 2;
  frameEl.style.transform = `translate(${x}px, ${y}px) scale(${scale})`;
  return scale;
}

/**
 * Plays a template live in a browser page (landing pages, previews): driven by
 * requestAnimationFrame and the wall clock, scaled to fit `container`. Images
 * and fonts (loaded from the template's `fonts` once the frame counter advances; paused, after the first frame) never hold playback here;
 * they show up when they are ready.
 */
export function createPlayer(container: HTMLElement, template: Template, options: PlayerOptions = {}): PlayerHandle {
  const variant = options.variant ?? template.defaultVariant;
  const size = template.variants[variant];
  if (!size) throw new Error(`Unknown variant "${variant}" for template "${template.id}"`);
  const config: VideoConfig = { width: size.width, height: size.height, fps: template.fps, durationInFrames: template.durationInFrames, variant };
  const props = (options.props ?? template.defaultProps) as object;
  const muted = options.muted ?? false;
  const clock = createPlaybackClock({ fps: template.fps, durationInFrames: template.durationInFrames, loop: options.loop });
  pageRuntime.reset({ mode: 'player', delayRenderTimeoutMs: 30_000 });

  // A container without its own height gets one from the aspect ratio.
  const stage = document.createElement('div');
  const sizedByWidth = container.clientHeight === 0;
  Object.assign(stage.style, {
    position: 'relative',
    overflow: 'hidden',
    width: '100%',
    height: sizedByWidth ? 'auto' : '100%',
    aspectRatio: sizedByWidth ? `${size.width} / ${size.height}` : '',
  });
  const frameEl = document.createElement('div');
  Object.assign(frameEl.style, {
    position: 'absolute',
    top: '0',
    left: '0',
    width: `${size.width}px`,
    height: `${size.height}px`,
    overflow: 'hidden',
    transformOrigin: '0 0',
  });
  stage.appendChild(frameEl);
  container.appendChild(stage);
  // useCurrentScale() follows the fit: a new scale re-renders the frame.
  let scale = 1;
  let mounted = false;
  const refit = (): void => {
    const next = fit(stage, frameEl, size.width, size.height);
    if (next === scale) return;
    scale = next;
    if (mounted) render();
  };
  const resizeObserver = typeof ResizeObserver !== 'undefined' ? new ResizeObserver(refit) : null;
  if (resizeObserver) resizeObserver.observe(stage);
  else window.addEventListener('resize', refit);
  refit();

  const root = createRoot(frameEl);
  const emit = (events: PlayerEventType[]): void => {
    for (const type of events) {
      if (type === 'frame') options.onFrame?.(clock.frame());
      options.onEvent?.(type, { frame: clock.frame() });
    }
  };
  const onError = (error: Error): void => {
    options.onEvent?.('error', { frame: clock.frame(), message: error.message });
  };
  // The template's own fonts, as in renders; text shows in a fallback font until they arrive.
  // Started once the frame counter has advanced (or, paused, after the first frame: the task after
  // the next animation frame): creating and loading the FontFaces and waiting on document.fonts cost
  // main-thread time and bring a relayout and a raster when they land, and before, started after the
  // first frame, they fell between it and frame 1 and held the frame counter back (bench/live.ts).
  // A font never held a frame here anyway.
  let fontsStarted = false;
  let fontsFrame: number | null = null;
  const startFonts = (): void => {
    if (fontsStarted) return;
    fontsStarted = true;
    // A task of its own, after the frame that called it is drawn.
    setTimeout(() => {
      if (!destroyed) loadTemplateFonts(template.fonts).catch(onError);
    }, 0);
  };
  const render = (): void => {
    const children = [createElement(template.component as ComponentType<object>, { ...props, key: 'template' })];
    if (template.audio) {
      children.push(createElement(Audio, { key: 'soundtrack', src: staticFile(template.audio.src), volume: template.audio.volume }));
    }
    const playing = clock.isPlaying();
    root.render(createElement(CompositionRoot, { frame: clock.frame(), config, mode: 'player', playing, muted, scale, onError }, ...children));
  };

  let rafId: number | null = null;
  const loop = (): void => {
    rafId = null;
    const before = clock.frame();
    const wasPlaying = clock.isPlaying();
    const events = clock.tick(performance.now());
    // Committed here, inside the animation frame: a plain root.render() is scheduled as a later
    // task, so the frame it draws missed this paint and showed one frame late (the first frame
    // of a landing page included; bench/live.ts). flushSync is already in the bundle (page API).
    if (clock.frame() !== before || clock.isPlaying() !== wasPlaying) flushSync(render);
    emit(events);
    if (clock.frame() > 0) startFonts();
    if (clock.isPlaying()) rafId = requestAnimationFrame(loop);
    else startFonts();
  };
  const stopLoop = (): void => {
    if (rafId !== null) cancelAnimationFrame(rafId);
    rafId = null;
  };
  let destroyed = false;
  // A prefetch() that finishes swaps its copy in at once, even while paused.
  const unsubscribe = pageRuntime.prefetches.subscribe(() => {
    if (mounted) render();
  });

  const handle: PlayerHandle = {
    play() {
      if (destroyed) return;
      const events = clock.play(performance.now());
      if (events.length === 0) return;
      render();
      emit(events);
      if (rafId === null) rafId = requestAnimationFrame(loop);
    },
    pause() {
      const events = clock.pause(performance.now());
      stopLoop();
      if (!destroyed) startFonts();
      if (events.length > 0) render();
      emit(events);
    },
    seek(frame) {
      if (destroyed) return;
      const events = clock.seek(frame, performance.now());
      render();
      emit(events);
    },
    getFrame: () => clock.frame(),
    isPlaying: () => clock.isPlaying(),
    destroy() {
      if (destroyed) return;
      destroyed = true;
      mounted = false;
      if (fontsFrame !== null) cancelAnimationFrame(fontsFrame);
      unsubscribe();
      stopLoop();
      clock.pause(performance.now());
      resizeObserver?.disconnect();
      if (!resizeObserver) window.removeEventListener('resize', refit);
      root.unmount();
      stage.remove();
    },
  };

  mounted = true;
  // Autoplay starts the clock before the first commit, so one commit draws the first frame.
  const started = options.autoplay ? clock.play(performance.now()) : [];
  // The first frame is committed now, not as a later task (a plain root.render() on a new root):
  // the page's next paint shows the composition. Before, that paint showed the player's empty
  // stage and the composition came one animation frame later (bench/live.ts). Hosts call
  // createPlayer() from plain DOM code, never inside a React render, where flushSync may not run.
  flushSync(render);
  options.onFrame?.(0);
  emit(started);
  if (clock.isPlaying()) rafId = requestAnimationFrame(loop);
  else {
    // Paused: no frame counter to wait for; the fonts start after this first frame.
    fontsFrame = requestAnimationFrame(() => {
      fontsFrame = null;
      startFonts();
    });
  }
  return handle;
}
