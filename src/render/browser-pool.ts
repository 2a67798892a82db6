import { CancelledError } from '../errors/index.js';
import { RenderPage, type RenderPageOptions } from './render-page.js';

export interface BrowserPoolOptions extends RenderPageOptions {
  /** Browser processes kept warm. Default: one per core. */
  size: number;
  /** Replace a browser after this many renders (slow leaks in templates). */
  recycleAfterRenders?: number;
  /** Replace a browser whose process tree grows above this many bytes. */
  memoryCeilingBytes?: number;
}

export interface BrowserPoolStats {
  size: number;
  live: number;
  idle: number;
  launched: number;
  restarts: number;
  recycled: number;
  peakMemoryBytes: number;
}

/**
 * Warm chromium-headless-shell processes, one page each. A crashed browser is
 * dropped and replaced in the background; recycling happens on release, so a
 * render never loses its browser half-way.
 */
export class BrowserPool {
  private readonly idle: RenderPage[] = [];
  private readonly busy = new Set<RenderPage>();
  private readonly launching = new Set<Promise<void>>();
  private readonly waiters: Array<{ grant: (page: RenderPage) => void; fail: (err: unknown) => void }> = [];
  private closed = false;
  private readonly counters = { launched: 0, restarts: 0, recycled: 0, peakMemoryBytes: 0 };

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
    await Promise.allSettled([...this.launching]);
    const pages = [...this.idle, ...this.busy];
    this.idle.length = 0;
    this.busy.clear();
    await Promise.all(pages.map((page) => page.close()));
  }

  private total(): number {
    return this.idle.length + this.busy.size + this.launching.size;
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
        if (this.closed) return void page.close();
        this.handOut(page);
      })
      .catch((err: unknown) => {
        // A browser that cannot start (missing binary, bad flags) fails the oldest waiter
        // rather than leaving it hanging.
        this.waiters.shift()?.fail(err);
      })
      .finally(() => this.launching.delete(launch));
    this.launching.add(launch);
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
