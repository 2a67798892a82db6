import type { RuntimeMode } from './runtime-mode.js';

export interface PrefetchOptions {
  /** 'blob-url' (default): an object URL; 'base64': a data: URL (for what cannot load blob URLs). */
  method?: 'blob-url' | 'base64';
  /** Overrides the content type the server sent (e.g. a video served as application/octet-stream). */
  contentType?: string;
}

/** What prefetch() returns. */
export interface Prefetched {
  /** Releases the downloaded copy; components go back to loading `src` itself. */
  free(): void;
  /** Resolves with the URL components now load (the src itself when rendering); rejects when the download fails. */
  waitUntilDone(): Promise<string>;
}

interface Entry {
  src: string;
  options: PrefetchOptions;
  state: 'waiting' | 'loading' | 'done' | 'freed';
  url?: string;
  abort: AbortController;
  settle(url: string | Error): void;
  done: Promise<string>;
}

/** The page's prefetched assets: what prefetch() downloads and what <Img> and <Audio> then load. */
export interface PrefetchRegistry {
  add(src: string, options?: PrefetchOptions): Prefetched;
  /** The downloaded copy of `src` when one is ready, else `src`. */
  resolve(src: string): string;
  /** The page mounted in this mode: the live player downloads, rendering never does. */
  setMode(mode: RuntimeMode): void;
  /** Calls `listener` each time a download is ready (the player then shows it); returns the unsubscribe. */
  subscribe(listener: () => void): () => void;
}

function toBase64(bytes: Uint8Array): string {
  let binary = '';
  for (let i = 0; i < bytes.length; i += 0x8000) binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(binary);
}

async function download(entry: Entry): Promise<string> {
  const response = await fetch(entry.src, { signal: entry.abort.signal });
  if (!response.ok) throw new Error(`prefetch(): ${entry.src} answered HTTP ${response.status}`);
  const received = await response.blob();
  const type = entry.options.contentType ?? received.type;
  if (entry.options.method === 'base64') {
    return `data:${type};base64,${toBase64(new Uint8Array(await received.arrayBuffer()))}`;
  }
  return URL.createObjectURL(type === received.type ? received : new Blob([received], { type }));
}

/**
 * Creates the registry a page runtime owns. Downloads start only once the
 * page is known to be a live player: a template usually calls prefetch() as
 * it loads, before the page has mounted in either mode. When rendering frames
 * prefetch() is a no-op (every frame waits for its assets anyway).
 */
export function createPrefetchRegistry(): PrefetchRegistry {
  const entries: Entry[] = [];
  const listeners = new Set<() => void>();
  let mode: RuntimeMode | null = null;

  const start = (entry: Entry): void => {
    if (entry.state !== 'waiting') return;
    if (mode === 'render') return entry.settle(entry.src);
    entry.state = 'loading';
    download(entry).then(
      (url) => {
        if (entry.state === 'freed') {
          if (url.startsWith('blob:')) URL.revokeObjectURL(url);
          return;
        }
        entry.state = 'done';
        entry.url = url;
        entry.settle(url);
        for (const listener of listeners) listener();
      },
      (error: Error) => entry.settle(error),
    );
  };

  return {
    add(src, options = {}) {
      if (typeof src !== 'string' || src === '') throw new TypeError('prefetch(): src must be a URL or a staticFile() path');
      if (options.method !== undefined && options.method !== 'blob-url' && options.method !== 'base64') {
        throw new RangeError(`prefetch(): method must be 'blob-url' or 'base64', got ${String(options.method)}`);
      }
      let settle!: Entry['settle'];
      const done = new Promise<string>((resolve, reject) => {
        settle = (value) => (value instanceof Error ? reject(value) : resolve(value));
      });
      // A caller that never awaits must not see an unhandled rejection.
      done.catch(() => undefined);
      const entry: Entry = { src, options, state: 'waiting', abort: new AbortController(), settle, done };
      entries.push(entry);
      if (mode !== null) start(entry);
      return {
        free() {
          if (entry.state === 'freed') return;
          if (entry.state === 'loading') entry.abort.abort();
          if (entry.url?.startsWith('blob:')) URL.revokeObjectURL(entry.url);
          entry.state = 'freed';
          entry.url = undefined;
          entries.splice(entries.indexOf(entry), 1);
        },
        waitUntilDone: () => done,
      };
    },
    resolve(src) {
      return entries.find((e) => e.src === src && e.state === 'done')?.url ?? src;
    },
    setMode(next) {
      mode = next;
      for (const entry of entries) start(entry);
    },
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
}
