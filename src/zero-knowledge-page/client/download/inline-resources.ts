import type { FontDefinition } from '../../../composition/index.js';

/**
 * Where a template's public file is, relative to the page's `<base href>` (the
 * bundle): the runtime's staticFile() default. Not imported from the runtime:
 * that would put React in this inline script; player.js has its own copy.
 */
const STATIC_BASE = 'static/';

/** Turns same-origin files into `data:` URLs, each fetched once: an SVG image loads nothing by itself. */
export interface ResourceInliner {
  dataUrl(url: string): Promise<string>;
}

function readAsDataUrl(blob: Blob): Promise<string> {
  return new Promise((resolve, reject) => {
    const reader = new FileReader();
    reader.onload = () => resolve(String(reader.result));
    reader.onerror = () => reject(reader.error ?? new Error('could not read a file of the template'));
    reader.readAsDataURL(blob);
  });
}

/**
 * A cache of `data:` URLs by absolute URL. Only this page's origin is
 * fetched (the CSP's `connect-src 'self'` says the same): the template's
 * static files. `data:` URLs pass through.
 */
export function createResourceInliner(): ResourceInliner {
  const cache = new Map<string, Promise<string>>();
  return {
    dataUrl(url) {
      const absolute = new URL(url, document.baseURI);
      if (absolute.protocol === 'data:') return Promise.resolve(absolute.href);
      let pending = cache.get(absolute.href);
      if (!pending) {
        pending = fetch(absolute.href, { credentials: 'same-origin' }).then(async (response) => {
          if (!response.ok) throw new Error(`a file of the template answered ${response.status}`);
          return readAsDataUrl(await response.blob());
        });
        pending.catch(() => cache.delete(absolute.href));
        cache.set(absolute.href, pending);
      }
      return pending;
    },
  };
}

const cssString = (text: string): string => `"${text.replace(/["\\\n]/g, (c) => `\\${c.charCodeAt(0).toString(16)} `)}"`;

/**
 * `@font-face` rules for the template's fonts with their files inlined, for
 * the SVG each frame is drawn through: the page's `document.fonts` does not
 * reach into an SVG image.
 */
export async function fontFaceCss(fonts: readonly FontDefinition[], inliner: ResourceInliner): Promise<string> {
  const rules = await Promise.all(
    fonts.map(async (font) => {
      const src = await inliner.dataUrl(`${STATIC_BASE}${font.src.replace(/^\.\//, '')}`);
      return `@font-face{font-family:${cssString(font.family)};src:url(${cssString(src)});font-weight:${font.weight ?? 'normal'};font-style:${font.style ?? 'normal'}}`;
    }),
  );
  return rules.join('\n');
}
