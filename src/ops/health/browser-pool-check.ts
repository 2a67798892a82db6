import type { ReadinessCheck } from './readiness.js';

/** BrowserPool.stats() fits. */
export interface PoolStatsSource {
  stats(): { size: number; live: number; idle: number; lastLaunchError?: string; nextLaunchAt?: number };
}

/**
 * A render worker is ready once its pool was warmed (every browser launched)
 * and while at least one browser is alive. A crashed browser is replaced in
 * the background: one dead browser of several keeps the worker ready, all
 * dead does not, and then the detail says why (the last launch error and
 * when the next attempt is). `sandbox` says whether Chromium's sandbox is on.
 */
export function createBrowserPoolCheck(pool: PoolStatsSource, sandbox?: { enabled: boolean; reason: string }): ReadinessCheck {
  const sandboxNote = sandbox ? `; Chromium sandbox ${sandbox.enabled ? 'on' : `off (${sandbox.reason})`}` : '';
  return () => {
    const { size, live, idle, lastLaunchError, nextLaunchAt } = pool.stats();
    if (live === 0) {
      const why = lastLaunchError
        ? `the last launch failed: ${lastLaunchError}${nextLaunchAt ? `; next attempt in ${Math.max(0, Math.ceil((nextLaunchAt - Date.now()) / 1000))} s` : ''}`
        : 'browsers are launching';
      return { ok: false, detail: `no live browser (0 of ${size}); ${why}${sandboxNote}` };
    }
    return { ok: true, detail: `${live} of ${size} browsers live, ${idle} idle${sandboxNote}` };
  };
}
