import type { PlayerApi } from '../../../composition/index.js';

/**
 * Loads the template's player bundle (`file`, relative to the page's
 * `<base href>`: normally `player.js`, which the page already modulepreloads)
 * with `import()`, and resolves with its player API: the module's default
 * export, or `window.__mastercutPlayer` for a classic bundle imported as a
 * module (the full `bundle.js`, which is how bench/live.ts times the old
 * page). Rejects when the import fails, yields no API, or takes longer than
 * `timeoutMs`, so the page can fall back to the poster.
 */
export function loadPlayerBundle(file: string, timeoutMs: number): Promise<PlayerApi> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('the template bundle took too long')), timeoutMs);
    // A computed specifier: the client's own build must leave this import to the browser.
    const url = new URL(file, document.baseURI).href;
    import(url).then(
      (module: { default?: PlayerApi }) => {
        clearTimeout(timer);
        const api = module.default ?? window.__mastercutPlayer;
        if (api) resolve(api);
        else reject(new Error('the template bundle installed no player'));
      },
      () => {
        clearTimeout(timer);
        reject(new Error('the template bundle failed to load'));
      },
    );
  });
}

