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
 * Entry point of a template's player bundle: lets a landing page without a
 * build step start the live player, e.g.
 * `window.__mastercutPlayer.createPlayer(el, { props, autoplay: true, muted: true })`.
 */
export function installPlayerApi(template: Template): PlayerApi {
  const api: PlayerApi = {
    template,
    createPlayer: (container, options) => createPlayer(container, template, options),
  };
  window.__mastercutPlayer = api;
  return api;
}
