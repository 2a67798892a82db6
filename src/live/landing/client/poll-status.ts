export interface PollStatusOptions {
  firstDelayMs?: number;
  maxDelayMs?: number;
  /** Gives up after this long; the live player keeps playing. */
  giveUpAfterMs?: number;
}

/**
 * Polls `url` (JSON `{ ready: boolean }`) until it says ready, backing off
 * from 1 s to 5 s (x1.5 each time); network errors count as not ready.
 * Returns a function that stops polling.
 */
export function pollStatus(url: string, onReady: () => void, options: PollStatusOptions = {}): () => void {
  const maxDelay = options.maxDelayMs ?? 5_000;
  const giveUpAt = Date.now() + (options.giveUpAfterMs ?? 15 * 60_000);
  let delay = options.firstDelayMs ?? 1_000;
  let stopped = false;
  let timer: ReturnType<typeof setTimeout> | undefined;

  const check = async (): Promise<void> => {
    if (stopped) return;
    let ready = false;
    try {
      const response = await fetch(url, { cache: 'no-store', credentials: 'same-origin', headers: { accept: 'application/json' } });
      if (response.ok) ready = ((await response.json()) as { ready?: unknown }).ready === true;
    } catch {
      // Offline or a server hiccup: try again later.
    }
    if (stopped) return;
    if (ready) {
      stopped = true;
      onReady();
      return;
    }
    if (Date.now() >= giveUpAt) return;
    delay = Math.min(maxDelay, delay * 1.5);
    timer = setTimeout(() => void check(), delay);
  };
  timer = setTimeout(() => void check(), delay);
  return () => {
    stopped = true;
    clearTimeout(timer);
  };
}
