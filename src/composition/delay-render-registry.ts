/** An open delayRender() hold, as seen by whoever waits for the frame. */
export interface PendingDelay {
  handle: number;
  label: string;
  /** performance.now()/Date.now() milliseconds when it was opened. */
  createdAt: number;
  timeoutMs: number;
}

export interface DelayRenderOptions {
  /** How long this hold may stay open; defaults to the page's delayRenderTimeoutMs. */
  timeoutMs?: number;
}

/** Outcome of waiting for every hold to be released. */
export type DelayWaitResult =
  | { ok: true }
  | { ok: false; reason: 'timeout'; pending: PendingDelay }
  | { ok: false; reason: 'cancelled'; error: Error };

/**
 * The page-wide set of open delayRender() holds. The frame is only captured
 * once it is empty. Labels stay inspectable so that a timeout can say which
 * hold never let go.
 */
export interface DelayRenderRegistry {
  /** Opens a hold. Returns a no-op handle (-1) while disabled (the live player never waits). */
  delay(label?: string, options?: DelayRenderOptions): number;
  /** Releases a hold; releasing twice or an unknown handle is harmless. */
  release(handle: number): void;
  /** Fails the current render; every waiter returns at once. */
  cancel(error: unknown): void;
  pending(): PendingDelay[];
  cancelledWith(): Error | null;
  /** Resolves when no hold is open, when one outlives its timeout, or on cancel. */
  waitForAll(): Promise<DelayWaitResult>;
  /** Forgets every hold and any cancel; sets whether holds are tracked and their default timeout. */
  reset(options: { enabled: boolean; defaultTimeoutMs: number }): void;
}

export interface DelayRenderRegistryDeps {
  now?: () => number;
  setTimer?: (fn: () => void, ms: number) => unknown;
  clearTimer?: (id: unknown) => void;
}

/** Creates an empty registry; the page runtime holds one per page. */
export function createDelayRenderRegistry(deps: DelayRenderRegistryDeps = {}): DelayRenderRegistry {
  const now = deps.now ?? (() => (typeof performance !== 'undefined' ? performance.now() : Date.now()));
  const setTimer = deps.setTimer ?? ((fn, ms) => setTimeout(fn, ms));
  const clearTimer = deps.clearTimer ?? ((id) => clearTimeout(id as ReturnType<typeof setTimeout>));

  const open = new Map<number, PendingDelay>();
  let nextHandle = 1;
  let enabled = true;
  let defaultTimeoutMs = 30_000;
  let cancelled: Error | null = null;
  const listeners = new Set<() => void>();
  const notify = (): void => {
    for (const fn of [...listeners]) fn();
  };

  return {
    delay(label, options = {}) {
      if (!enabled) return -1;
      const timeoutMs = options.timeoutMs ?? defaultTimeoutMs;
      if (!(Number.isFinite(timeoutMs) && timeoutMs > 0)) {
        throw new RangeError(`delayRender(): timeoutMs must be > 0, got ${timeoutMs}`);
      }
      const handle = nextHandle++;
      open.set(handle, { handle, label: label ?? `delayRender #${handle}`, createdAt: now(), timeoutMs });
      return handle;
    },
    release(handle) {
      if (open.delete(handle)) notify();
    },
    cancel(error) {
      cancelled ??= error instanceof Error ? error : new Error(String(error));
      notify();
    },
    pending: () => [...open.values()].map((p) => ({ ...p })),
    cancelledWith: () => cancelled,
    waitForAll() {
      return new Promise<DelayWaitResult>((resolve) => {
        let timer: unknown = null;
        const check = (): void => {
          if (timer !== null) clearTimer(timer);
          timer = null;
          if (cancelled) return finish({ ok: false, reason: 'cancelled', error: cancelled });
          if (open.size === 0) return finish({ ok: true });
          const t = now();
          let soonest = Infinity;
          for (const p of open.values()) {
            const left = p.createdAt + p.timeoutMs - t;
            if (left <= 0) return finish({ ok: false, reason: 'timeout', pending: { ...p } });
            soonest = Math.min(soonest, left);
          }
          timer = setTimer(check, Math.ceil(soonest));
        };
        const finish = (result: DelayWaitResult): void => {
          listeners.delete(check);
          resolve(result);
        };
        listeners.add(check);
        check();
      });
    },
    reset(options) {
      open.clear();
      cancelled = null;
      enabled = options.enabled;
      defaultTimeoutMs = options.defaultTimeoutMs;
      notify();
    },
  };
}
