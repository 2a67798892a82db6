import { createPlayer, type PlayerHandle, type PlayerOptions } from './player.js';
import type { Template } from './template.schema.js';

/** What a plain HTML page finds at `window.__mastercutPlayer`. */
export interface PlayerApi {
  template: Template;
  createPlayer(container: HTMLElement, options?: PlayerOptions): PlayerHandle;
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
