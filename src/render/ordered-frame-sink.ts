import { throwIfAborted } from '../errors/index.js';

/**
 * Browsers finish frames out of order; ffmpeg needs them in order. This
 * holds early frames until their turn and writes them one at a time. Memory
 * stays bounded because the scheduler never hands out frames further ahead of
 * `next` than its window (see waitForRoom).
 */
export class OrderedFrameSink {
  private readonly pending = new Map<number, Buffer>();
  private writing: Promise<void> = Promise.resolve();
  private roomWaiters: Array<() => void> = [];
  private failure: unknown;
  next: number;

  constructor(
    first: number,
    private readonly write: (frame: number, image: Buffer) => Promise<void>,
  ) {
    this.next = first;
  }

  /** Accepts a captured frame; writes every frame that is now in order. */
  put(frame: number, image: Buffer): void {
    if (this.failure) throw this.failure;
    this.pending.set(frame, image);
    this.writing = this.writing.then(() => this.drain());
  }

  /** Resolves once `frame` is within `window` frames of the write cursor; rejects when `signal` fires. */
  async waitForRoom(frame: number, window: number, signal?: AbortSignal): Promise<void> {
    while (frame - this.next >= window) {
      if (this.failure) throw this.failure;
      throwIfAborted(signal);
      await new Promise<void>((resolve) => {
        const wake = () => {
          signal?.removeEventListener('abort', wake);
          resolve();
        };
        this.roomWaiters.push(wake);
        signal?.addEventListener('abort', wake, { once: true });
      });
    }
  }

  /** Resolves when everything put so far is written; rejects on a write error. */
  async flush(): Promise<void> {
    await this.writing;
    if (this.failure) throw this.failure;
  }

  get buffered(): number {
    return this.pending.size;
  }

  private async drain(): Promise<void> {
    if (this.failure) return;
    try {
      for (let image = this.pending.get(this.next); image; image = this.pending.get(this.next)) {
        this.pending.delete(this.next);
        await this.write(this.next, image);
        this.next += 1;
        this.wakeWaiters();
      }
    } catch (err) {
      this.failure = err;
      this.wakeWaiters();
    }
  }

  private wakeWaiters(): void {
    const waiters = this.roomWaiters;
    this.roomWaiters = [];
    for (const wake of waiters) wake();
  }
}
