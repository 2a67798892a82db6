import { CancelledError } from '../errors/index.js';
import { RenderPage, type RenderPageOptions } from './render-page.js';

export interface BrowserPoolOptions extends RenderPageOptions {
  /** Browser processes kept warm. Default: one per core. */
  size: number;
  /** Replace a browser after this many renders (slow leaks in templates). */
  recycleAfterRenders?: number;
  /** Replace a browser whose process tree grows above this many bytes. */
  memoryCeilingBytes?: number;
  /** First wait before launching again after a failed launch; doubles up to `launchRetryMaxMs`. Default 1 s. */
  launchRetryBaseMs?: number;
  /** Longest wait between launch attempts. Default 30 s. */
  launchRetryMaxMs?: number;
  /** Told about every failed launch, with its reason and when the next attempt is (the worker logs it). */
  onLaunchError?: (error: Error, info: LaunchFailure) => void;
}

/** One failed launch: the consecutive failures so far and the wait before the next attempt. */
export interface LaunchFailure {
  failures: number;
  retryInMs: number;
}

export interface BrowserPoolStats {
  size: number;
  live: number;
  idle: number;
  launched: number;
  restarts: number;
  recycled: number;
  peakMemoryBytes: number;
  /** Launches that failed in a row (0 once one works again). */
  launchFailures: number;
  /** Why the last launch failed, while the failures go on. */
  lastLaunchError?: string;
  /** When the next launch attempt is due (epoch ms), while one is waiting. */
  nextLaunchAt?: number;
}

/**
 * Warm chromium-headless-shell processes, one page each. A crashed browser is
 * dropped and replaced in the background; recycling happens on release, so a
 * render never loses its browser half-way. A launch that fails is reported
 * (`onLaunchError`, `stats().lastLaunchError`) and tried again with
 * exponential backoff until the pool is full or closed.
 */
export class BrowserPool {
  private readonly idle: RenderPage[] = [];
  private readonly busy = new Set<RenderPage>();
  private readonly launching = new Set<Promise<void>>();
  private readonly waiters: Array<{ grant: (page: RenderPage) => void; fail: (err: unknown) => void }> = [];
  private closed = false;
  private readonly counters = { launched: 0, restarts: 0, recycled: 0, peakMemoryBytes: 0 };
  private launchFailures = 0;
  private lastLaunchError: string | undefined;
  private retry: { timer: NodeJS.Timeout; at: number } | undefined;

  constructor(private readonly options: BrowserPoolOptions) {
    if (!Number.isInteger(options.size) || options.size < 1) throw new Error('pool size must be a positive integer');
  }

  get size(): number {
    return this.options.size;
  }

  /** Starts every browser now, so the first render does not pay for launches. */
  async warm(): Promise<void> {
    while (this.total() < this.options.size) this.launchOne();
    await Promise.all([...this.launching]);
  }

  /** Waits for a browser. */
  async acquire(signal?: AbortSignal): Promise<RenderPage> {
    const page = this.tryAcquire();
    if (page) return page;
    if (this.total() < this.options.size) this.launchOne();
    return new Promise<RenderPage>((resolve, reject) => {
      const waiter = {
        grant: (granted: RenderPage) => {
          signal?.removeEventListener('abort', onAbort);
          resolve(granted);
        },
        fail: (err: unknown) => {
          signal?.removeEventListener('abort', onAbort);
          reject(err);
        },
      };
      const onAbort = () => {
        const index = this.waiters.indexOf(waiter);
        if (index >= 0) this.waiters.splice(index, 1);
        reject(new CancelledError());
      };
      if (signal?.aborted) return onAbort();
      signal?.addEventListener('abort', onAbort, { once: true });
      this.waiters.push(waiter);
    });
  }

  /** A browser if one is idle right now, else undefined. */
  tryAcquire(): RenderPage | undefined {
    if (this.closed) throw new CancelledError('browser pool closed');
    for (let page = this.idle.pop(); page; page = this.idle.pop()) {
      if (page.crashed) {
        this.replace(page, 'restarts');
        continue;
      }
      this.busy.add(page);
      return page;
    }
    return undefined;
  }

  /** Returns a browser. `renderDone` counts a finished render towards recycling. */
  async release(page: RenderPage, options: { renderDone?: boolean } = {}): Promise<void> {
    this.busy.delete(page);
    if (options.renderDone) page.rendersDone += 1;
    if (page.crashed) return this.replace(page, 'restarts');
    const memory = await page.memoryBytes();
    this.counters.peakMemoryBytes = Math.max(this.counters.peakMemoryBytes, memory);
    const tooOld = page.rendersDone >= (this.options.recycleAfterRenders ?? 100);
    const tooBig = memory > (this.options.memoryCeilingBytes ?? 1.5 * 1024 ** 3);
    if (this.closed || tooOld || tooBig) return this.replace(page, 'recycled');
    this.handOut(page);
  }

  stats(): BrowserPoolStats {
    return {
      size: this.options.size,
      live: this.idle.length + this.busy.size,
      idle: this.idle.length,
      ...this.counters,
      launchFailures: this.launchFailures,
      ...(this.lastLaunchError === undefined ? {} : { lastLaunchError: this.lastLaunchError }),
      ...(this.retry ? { nextLaunchAt: this.retry.at } : {}),
    };
  }

  /** Memory of each live browser's process tree, for benchmarks and health. */
  async memoryByBrowser(): Promise<number[]> {
    const all = [...this.idle, ...this.busy];
    const values = await Promise.all(all.map((page) => page.memoryBytes()));
    for (const value of values) this.counters.peakMemoryBytes = Math.max(this.counters.peakMemoryBytes, value);
    return values;
  }

  /** Browser process ids, for diagnostics and fault-injection tests. */
  pids(): number[] {
    return [...this.idle, ...this.busy].map((page) => page.pid).filter((pid): pid is number => pid !== undefined);
  }

  async close(): Promise<void> {
    this.closed = true;
    clearTimeout(this.retry?.timer);
    this.retry = undefined;
    await Promise.allSettled([...this.launching]);
    const pages = [...this.idle, ...this.busy];
    this.idle.length = 0;
    this.busy.clear();
    await Promise.all(pages.map((page) => page.close()));
  }

  private total(): number {
    // A launch waiting out its backoff counts: it is the replacement of the one that failed.
    return this.idle.length + this.busy.size + this.launching.size + (this.retry ? 1 : 0);
  }

  private replace(page: RenderPage, reason: 'restarts' | 'recycled'): void {
    this.counters[reason] += 1;
    void page.close();
    if (!this.closed && this.total() < this.options.size) this.launchOne();
  }

  private launchOne(): void {
    const launch = RenderPage.launch(this.options)
      .then((page) => {
        this.counters.launched += 1;
        this.launchFailures = 0;
        this.lastLaunchError = undefined;
        if (this.closed) return void page.close();
        this.handOut(page);
      })
      .catch((err: unknown) => {
        // A browser that cannot start (missing binary, bad flags, a refused sandbox) fails the
        // oldest waiter rather than leaving it hanging, and is tried again later.
        this.waiters.shift()?.fail(err);
        this.launchFailed(err instanceof Error ? err : new Error(String(err)));
      })
      .finally(() => this.launching.delete(launch));
    this.launching.add(launch);
  }

  private launchFailed(error: Error): void {
    this.launchFailures += 1;
    this.lastLaunchError = error.message;
    if (this.closed) return;
    const base = this.options.launchRetryBaseMs ?? 1_000;
    const retryInMs = Math.min(this.options.launchRetryMaxMs ?? 30_000, base * 2 ** (this.launchFailures - 1));
    this.options.onLaunchError?.(error, { failures: this.launchFailures, retryInMs });
    if (this.retry) return;
    const timer = setTimeout(() => {
      this.retry = undefined;
      while (!this.closed && this.total() < this.options.size) this.launchOne();
    }, retryInMs);
    timer.unref();
    this.retry = { timer, at: Date.now() + retryInMs };
  }

  private handOut(page: RenderPage): void {
    const waiter = this.waiters.shift();
    if (waiter) {
      this.busy.add(page);
      waiter.grant(page);
    } else {
      this.idle.push(page);
    }
  }
}
