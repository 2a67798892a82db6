import { promises as dns } from 'node:dns';
import { createSecureContext, rootCertificates } from 'node:tls';
import { AppError, CancelledError, throwIfAborted } from '../../errors/index.js';
import { createAssetDiskCache } from './asset-disk-cache.js';
import { checkUrl, type CheckedUrl } from './check-url.js';
import type { RemoteAssetOptions } from './remote-asset-options.schema.js';
import { requestAsset, type RequestAssetSettings } from './request-asset.js';
import { resolvePinnedAddresses, type LookupAll } from './resolve-pinned-addresses.js';
import { resolveRemoteAssetOptions } from './resolve-remote-asset-options.js';
import { allowedTypes, type AllowedAssetType, type AssetKind } from './asset-kind.js';

export interface RemoteAssetFetcherDeps {
  /** DNS resolution; defaults to `dns.promises.lookup`. Tests inject a fake. */
  lookup?: LookupAll;
}

/** A remote image or video, vetted and stored in the disk cache. */
export interface FetchedAsset {
  path: string;
  contentType: AllowedAssetType;
  bytes: number;
  fromCache: boolean;
}

export interface RemoteAssetFetcher {
  /**
   * Returns the cached file of an image URL (or, with `kind: 'video'`, of a
   * video for <Video>: MP4, QuickTime or WebM), downloading it first when
   * needed. Both kinds pass the same guards and size limit. Throws AppError
   * ASSET_FORBIDDEN / ASSET_TOO_LARGE / ASSET_BAD_TYPE / ASSET_FETCH_FAILED,
   * or CancelledError when `signal` fires.
   */
  fetch(url: string, signal?: AbortSignal, kind?: AssetKind): Promise<FetchedAsset>;
}

interface InFlight {
  promise: Promise<FetchedAsset>;
  controller: AbortController;
  waiters: number;
}

/** Rejects as soon as `signal` fires, without waiting for `promise` (DNS lookups cannot be aborted). */
function raceAbort<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    if (signal.aborted) return onAbort();
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}

/**
 * The only way a remote byte enters a render. URLs are checked (https, no
 * credentials, allowed port), their host resolved and every address vetted
 * against private and special ranges, and the connection pinned to the
 * vetted addresses. Redirects are followed up to `maxRedirects` hops, each
 * checked like the first URL. Bodies are limited in size and time, must be
 * PNG/JPEG/WebP/GIF/AVIF by header and by magic bytes, and land in a disk
 * cache keyed by the URL. Concurrent fetches of one URL share one download.
 */
export function createRemoteAssetFetcher(
  deps: RemoteAssetFetcherDeps,
  options: RemoteAssetOptions,
): RemoteAssetFetcher {
  const opts = resolveRemoteAssetOptions(options);
  const lookup: LookupAll = deps.lookup ?? ((host, o) => dns.lookup(host, o));
  const cache = createAssetDiskCache(opts.cacheDir);
  const settings: RequestAssetSettings = {
    maxBytes: opts.maxBytes,
    userAgent: opts.userAgent,
    // Node's `ca` option replaces the bundled roots; the test CA is meant to come on top of them.
    secureContext: opts.ca ? createSecureContext({ ca: [...rootCertificates, opts.ca.toString()] }) : undefined,
  };
  const inFlight = new Map<string, InFlight>();

  async function download(first: CheckedUrl, signal: AbortSignal, kind: AssetKind) {
    let current = first;
    for (let hop = 0; ; hop++) {
      const addresses = await raceAbort(resolvePinnedAddresses(current, lookup, opts), signal);
      const result = await requestAsset(current, addresses, settings, signal, kind);
      if (result.kind === 'body') return result;
      if (hop >= opts.maxRedirects) {
        const why = `remote asset from "${first.host}" redirected more than ${opts.maxRedirects} times`;
        throw new AppError('ASSET_FETCH_FAILED', why, { retryable: false, details: { host: first.host } });
      }
      let next: string;
      try {
        next = new URL(result.location, current.url).href;
      } catch {
        const why = `remote asset from "${current.host}" redirected to an invalid URL`;
        throw new AppError('ASSET_FETCH_FAILED', why, { retryable: false, details: { host: current.host } });
      }
      current = checkUrl(next, opts);
    }
  }

  /** One download under the total deadline; the abort reason tells a timeout from a cancellation. */
  async function load(checked: CheckedUrl, key: string, kind: AssetKind, cancel: AbortSignal): Promise<FetchedAsset> {
    const cached = await cache.read(key);
    if (cached && allowedTypes(kind).includes(cached.contentType)) return { ...cached, fromCache: true };
    const controller = new AbortController();
    const timeout = new AppError(
      'ASSET_FETCH_FAILED',
      `remote asset from "${checked.host}" took longer than ${opts.timeoutMs} ms`,
      { retryable: true, details: { host: checked.host } },
    );
    const timer = setTimeout(() => controller.abort(timeout), opts.timeoutMs);
    const onCancel = () => controller.abort(new CancelledError('remote asset fetch cancelled'));
    cancel.addEventListener('abort', onCancel, { once: true });
    try {
      const { body, contentType } = await download(checked, controller.signal, kind);
      return { ...(await cache.write(key, body, contentType)), fromCache: false };
    } catch (err) {
      if (controller.signal.aborted) throw controller.signal.reason;
      if (err instanceof AppError || err instanceof CancelledError) throw err;
      // The code only: some messages quote the request, and URLs may carry personal data.
      const code = (err as NodeJS.ErrnoException).code ?? (err as Error).name;
      throw new AppError('ASSET_FETCH_FAILED', `remote asset from "${checked.host}" could not be fetched (${code})`, {
        cause: err,
        details: { host: checked.host },
      });
    } finally {
      clearTimeout(timer);
      cancel.removeEventListener('abort', onCancel);
    }
  }

  /** Waits for a shared download; the last waiter to cancel cancels the download itself. */
  function join(key: string, entry: InFlight, signal: AbortSignal | undefined): Promise<FetchedAsset> {
    entry.waiters++;
    if (!signal) return entry.promise;
    return new Promise<FetchedAsset>((resolve, reject) => {
      const onAbort = () => {
        entry.waiters--;
        if (entry.waiters === 0) {
          if (inFlight.get(key) === entry) inFlight.delete(key);
          entry.controller.abort();
        }
        reject(new CancelledError(String(signal.reason ?? 'cancelled')));
      };
      signal.addEventListener('abort', onAbort, { once: true });
      entry.promise.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
    });
  }

  return {
    fetch(url, signal, kind = 'image') {
      try {
        throwIfAborted(signal);
        const checked = checkUrl(url, opts);
        // Images keep their historical key; a video of the same URL is another entry.
        const key = cache.keyFor(kind === 'image' ? checked.url.href : `${kind}:${checked.url.href}`);
        let entry = inFlight.get(key);
        if (!entry) {
          const controller = new AbortController();
          const promise = load(checked, key, kind, controller.signal).finally(() => {
            if (inFlight.get(key) === entry) inFlight.delete(key);
          });
          // Waiters that cancelled leave nobody to observe a late failure.
          promise.catch(() => undefined);
          entry = { promise, controller, waiters: 0 };
          inFlight.set(key, entry);
        }
        return join(key, entry, signal);
      } catch (err) {
        return Promise.reject(err);
      }
    },
  };
}
