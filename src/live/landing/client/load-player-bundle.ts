import type { PlayerApi } from '../../../composition/install-player-api.js';

/**
 * Loads the template bundle (`bundle.js`, relative to the page's
 * `<base href>`) and resolves with the player API it installs. Rejects when
 * the script fails, installs no API, or takes longer than `timeoutMs`, so the
 * page can fall back to the poster. The script is added from here rather than
 * from the markup so that its load and error events cannot be missed; the
 * page preloads it, so nothing is lost in time.
 */
export function loadPlayerBundle(nonce: string, timeoutMs: number): Promise<PlayerApi> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('the template bundle took too long')), timeoutMs);
    const script = document.createElement('script');
    script.src = 'bundle.js';
    script.async = true;
    if (nonce) script.nonce = nonce;
    script.addEventListener('load', () => {
      clearTimeout(timer);
      const api = window.__mastercutPlayer;
      if (api) resolve(api);
      else reject(new Error('the template bundle installed no player'));
    });
    script.addEventListener('error', () => {
      clearTimeout(timer);
      reject(new Error('the template bundle failed to load'));
    });
    document.head.appendChild(script);
  });
}
