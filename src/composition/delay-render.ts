import type { DelayRenderOptions } from './delay-render-registry.js';
import { pageRuntime } from './page-runtime.js';

/**
 * Holds the current frame until continueRender(handle) is called: use it while
 * loading data or assets the frame shows. The hold fails the render with
 * DELAY_RENDER_TIMEOUT, naming `label`, when it stays open longer than
 * `options.timeoutMs` (default: the render's delayRenderTimeoutMs). In the
 * live player it does nothing and returns a dummy handle.
 *
 * @param label shown in the timeout error: name what is awaited, never personal data.
 */
export function delayRender(label?: string, options?: DelayRenderOptions): number {
  return pageRuntime.delays.delay(label, options);
}

/** Releases a hold taken with delayRender(). */
export function continueRender(handle: number): void {
  pageRuntime.delays.release(handle);
}

/** Fails the current render with this error (reported as TEMPLATE_ERROR). */
export function cancelRender(error: unknown): void {
  pageRuntime.delays.cancel(error);
}
