import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { findChromium } from '../../../src/encode/index.js';
import { createBrowserPoolCheck } from '../../../src/ops/index.js';
import { BrowserPool, type LaunchFailure } from '../../../src/render/index.js';

const work = mkdtempSync(path.join(os.tmpdir(), 'mastercut-pool-retry-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

/**
 * A browser that refuses to start `failures` times (with a reason on stderr), then is the real
 * one. The pool's trial launch after a failure (`--dump-dom`, to get the reason) is not counted,
 * and is refused the same way while the launches are.
 */
async function flakyChromium(failures: number): Promise<{ path: string; launches: () => number }> {
  const real = (await findChromium()).path;
  const counter = path.join(work, `launches-${failures}`);
  writeFileSync(counter, '');
  const script = path.join(work, `chromium-failing-${failures}`);
  writeFileSync(
    script,
    `#!/bin/sh\ncase " $* " in *" --dump-dom "*) ;; *) echo x >> ${counter} ;; esac\nif [ "$(wc -l < ${counter})" -le ${failures} ]; then\n` +
      `  echo 'Check failed: sys_chroot("/proc/self/fdinfo/") == 0' >&2\n  exit 133\nfi\nexec ${real} "$@"\n`,
  );
  chmodSync(script, 0o755);
  return { path: script, launches: () => readFileSync(counter, 'utf8').split('\n').filter(Boolean).length };
}

describe('BrowserPool when a launch fails', () => {
  it('reports each failed launch with its reason, retries with backoff, and readiness says why until a browser is up', async () => {
    const chromium = await flakyChromium(3);
    const failures: { message: string; info: LaunchFailure }[] = [];
    const pool = new BrowserPool({
      size: 1,
      chromiumPath: chromium.path,
      launchRetryBaseMs: 200,
      launchRetryMaxMs: 5_000,
      onLaunchError: (err, info) => failures.push({ message: err.message, info }),
    });
    const check = createBrowserPoolCheck(pool);
    try {
      await pool.warm();
      // The first launch failed: nobody was waiting for a browser, and still it is reported.
      expect(failures).toHaveLength(1);
      expect(failures[0]!.message).toContain('Check failed: sys_chroot');
      const notReady = await check();
      expect(notReady.ok).toBe(false);
      expect(notReady.detail).toMatch(/^no live browser \(0 of 1\); the last launch failed: .*Check failed: sys_chroot.*; next attempt in \d+ s$/s);

      // Retried by itself, with growing waits, until the browser starts.
      await expect.poll(() => pool.stats().live, { timeout: 60_000, interval: 100 }).toBe(1);
      expect(chromium.launches()).toBe(4);
      expect(failures.map((f) => f.info)).toEqual([
        { failures: 1, retryInMs: 200 },
        { failures: 2, retryInMs: 400 },
        { failures: 3, retryInMs: 800 },
      ]);
      expect(pool.stats()).toMatchObject({ live: 1, launchFailures: 0, launched: 1 });
      expect(pool.stats().lastLaunchError).toBeUndefined();
      expect((await check()).ok).toBe(true);
    } finally {
      await pool.close();
    }
  }, 90_000);

  it('fails a waiting acquire with the launch error instead of leaving it hanging, and stops retrying once closed', async () => {
    const chromium = await flakyChromium(1_000);
    const pool = new BrowserPool({ size: 1, chromiumPath: chromium.path, launchRetryBaseMs: 50 });
    const refused = await pool.acquire().catch((err: unknown) => err);
    expect((refused as Error).message).toContain('Check failed: sys_chroot');
    await pool.close();
    const after = chromium.launches();
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(chromium.launches()).toBe(after);
    expect(pool.stats().nextLaunchAt).toBeUndefined();
  });
});
