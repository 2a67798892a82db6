import { createPageApi } from './page-api.js';
import { createPlayer, type PlayerHandle, type PlayerOptions } from './player.js';
import type { PageApi, Template } from './template.schema.js';

/** What a plain HTML page finds at `window.__mastercutPlayer`. */
export interface PlayerApi {
  template: Template;
  createPlayer(container: HTMLElement, options?: PlayerOptions): PlayerHandle;
  /**
   * The frame-exact side of the runtime, mounted in `container` instead of a
   * render page's `#root`: `mount()` then `seek(frame)` shows one frame once
   * every delayRender hold, image and font is ready, as the render workers
   * see it. The zero-knowledge page draws these frames into its in-browser
   * MP4. It shares the page's runtime with any live player: destroy the
   * player first, and create a new one after `unmount()`.
   */
  createFrameSource(container: HTMLElement): PageApi;
}

declare global {
  interface Window {
    __mastercutPlayer?: PlayerApi;
  }
}

/**
 * The live player of one template: the default export of its `player.js`
 * (the landing page's lean bundle, see src/templates/build-player-bundle.ts).
 */
export function createPlayerApi(template: Template): PlayerApi {
  return {
    template,
    createPlayer: (container, options) => createPlayer(container, template, options),
    createFrameSource: (container) => createPageApi(template, undefined, { container }),
  };
}

/**
 * Entry point of a template's full bundle: lets a page without a build step
 * start the live player, e.g.
 * `window.__mastercutPlayer.createPlayer(el, { props, autoplay: true, muted: true })`.
 */
export function installPlayerApi(template: Template): PlayerApi {
  const api = createPlayerApi(template);
  window.__mastercutPlayer = api;
  return api;
}
