import type { ReadinessCheck } from './readiness.js';

/** BrowserPool.stats() fits. */
export interface PoolStatsSource {
  stats(): { size: number; live: number; idle: number };
}

/**
 * A render worker is ready once its pool was warmed (every browser launched)
 * and while at least one browser is alive. A crashed browser is replaced in
 * the background: one dead browser of several keeps the worker ready, all
 * dead does not.
 */
export function createBrowserPoolCheck(pool: PoolStatsSource): ReadinessCheck {
  return () => {
    const { size, live, idle } = pool.stats();
    if (live === 0) return { ok: false, detail: `no live browser (0 of ${size}); replacements are starting` };
    return { ok: true, detail: `${live} of ${size} browsers live, ${idle} idle` };
  };
}
