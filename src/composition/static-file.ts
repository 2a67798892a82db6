/**
 * The URL prefix of a template's public files. The bundler serves each
 * template's `public/` folder under `static/`, relative to the page, so the
 * default works both from a file:// bundle and behind the API.
 */
const DEFAULT_STATIC_BASE = 'static/';

// One page shows one composition, so one base per page (per bundle) is enough.
const state = { base: DEFAULT_STATIC_BASE };

const SCHEME = /^[a-zA-Z][a-zA-Z0-9+.-]*:/;

/**
 * The URL of a file shipped in the template's `public/` folder.
 *
 * @param path relative to `public/`, e.g. `'fonts/inter.woff2'`; absolute
 *   paths, URLs and `..` segments are refused so that props can never reach
 *   outside the template's files.
 */
export function staticFile(path: string): string {
  if (typeof path !== 'string' || path.length === 0) {
    throw new TypeError('staticFile(): path must be a non-empty string');
  }
  if (path.startsWith('/') || path.startsWith('\\') || SCHEME.test(path)) {
    throw new RangeError(`staticFile(): path must be relative to the template's public folder, got "${path}"`);
  }
  const segments = path.split(/[/\\]/);
  if (segments.some((s) => s === '..')) {
    throw new RangeError(`staticFile(): path must not contain ".." segments, got "${path}"`);
  }
  const clean = path.startsWith('./') ? path.slice(2) : path;
  return `${state.base}${clean}`;
}

/**
 * Changes the prefix staticFile() puts before paths (default `'static/'`), for
 * pages that serve the public files elsewhere, e.g. a CDN. A missing trailing
 * slash is added.
 */
export function setStaticBase(base: string): void {
  if (typeof base !== 'string') throw new TypeError('setStaticBase(): base must be a string');
  state.base = base === '' || base.endsWith('/') ? base : `${base}/`;
}

/** The prefix staticFile() currently uses. */
export function getStaticBase(): string {
  return state.base;
}
