import type { QueueEvents } from 'bullmq';
import { getRenderStatus, type RenderStatus, type RenderStatusDeps } from './get-render-status.js';

export interface WaitForRenderDeps extends RenderStatusDeps {
  /** When given, a finished job wakes the wait at once instead of at the next poll. */
  events?: QueueEvents;
}

/**
 * Waits until a render is done or has finally failed, or until `timeoutMs`
 * passes, and resolves with its status (which may still be `queued`/`active`
 * on timeout: that is an answer, not an error).
 *
 * Polls the status with a growing interval (100 ms to 1 s) and, with
 * QueueEvents, also wakes on the job's completed/failed events. Polling stays
 * the source of truth: events are fire-and-forget and can be missed across a
 * Redis reconnect.
 */
export async function waitForRender(
  deps: WaitForRenderDeps,
  renderKey: string,
  timeoutMs: number,
  signal?: AbortSignal,
): Promise<RenderStatus> {
  const deadline = Date.now() + Math.max(0, timeoutMs);
  let interval = 100;
  for (;;) {
    const status = await getRenderStatus(deps, renderKey);
    if (status.state === 'done' || status.state === 'failed') return status;
    const left = deadline - Date.now();
    if (left <= 0 || signal?.aborted) return status;
    await nextWake(deps.events, renderKey, Math.min(interval, left), signal);
    interval = Math.min(interval * 2, 1_000);
  }
}

function nextWake(events: QueueEvents | undefined, jobId: string, ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const onEvent = (args: { jobId: string }) => {
      if (args.jobId === jobId) done();
    };
    const timer = setTimeout(() => done(), ms);
    const done = () => {
      clearTimeout(timer);
      events?.off('completed', onEvent);
      events?.off('failed', onEvent);
      signal?.removeEventListener('abort', done);
      resolve();
    };
    events?.on('completed', onEvent);
    events?.on('failed', onEvent);
    signal?.addEventListener('abort', done, { once: true });
  });
}
