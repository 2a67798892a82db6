import type { PlayerApi } from '../../composition/index.js';

/**
 * Imports the template's `player.js` (relative to `<base href>`, already
 * modulepreloaded by the page) and resolves with its player API, its
 * default export. Rejects after `timeoutMs`.
 */
export function loadPlayer(file: string, timeoutMs: number): Promise<PlayerApi> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('the template bundle took too long')), timeoutMs);
    // A computed specifier: this client's own build must leave the import to the browser.
    const url = new URL(file, document.baseURI).href;
    import(url).then(
      (module: { default?: PlayerApi }) => {
        clearTimeout(timer);
        if (module.default?.createFrameSource) resolve(module.default);
        else reject(new Error('the template bundle installed no player'));
      },
      () => {
        clearTimeout(timer);
        reject(new Error('the template bundle failed to load'));
      },
    );
  });
}
