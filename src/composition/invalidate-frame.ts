import { pageRuntime } from './page-runtime.js';

/**
 * Tells the renderer that the current frame differs from the previous one
 * although the DOM did not change, e.g. a template that draws on a <canvas>.
 * Without it such a frame could be taken for a held frame and the previous
 * capture reused.
 */
export function invalidateFrame(): void {
  pageRuntime.invalidate();
}
