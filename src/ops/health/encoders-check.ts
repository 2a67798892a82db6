import type { ReadinessCheck } from './readiness.js';

/**
 * A transcode worker's encoders, detected once at start (a real one-frame
 * encode per candidate; the worker does not start without a working set).
 * Ready means they were detected; the detail names them (describeCaps).
 */
export function createEncodersCheck(described: string): ReadinessCheck {
  return () => ({ ok: true, detail: described });
}
