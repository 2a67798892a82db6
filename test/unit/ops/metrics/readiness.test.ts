import { describe, expect, it } from 'vitest';
import { createBrowserPoolCheck, createFarmMetrics, createFfmpegCheck, createReadiness, startOpsServer, type PoolStatsSource } from '../../../../src/ops/index.js';
import { parseMetricsText, valueOf } from './parse-metrics-text.js';

describe('createReadiness', () => {
  it('is ready only when every check is ok, and reports each one', async () => {
    const readiness = createReadiness({ a: () => ({ ok: true, detail: 'fine' }), b: async () => ({ ok: true, detail: 'also fine' }) });
    expect(await readiness.check()).toEqual({ status: 'ready', checks: { a: { ok: true, detail: 'fine' }, b: { ok: true, detail: 'also fine' } } });
    readiness.set('c', () => ({ ok: false, detail: 'broken' }));
    const report = await readiness.check();
    expect(report.status).toBe('unavailable');
    expect(report.checks.c).toEqual({ ok: false, detail: 'broken' });
    expect(report.checks.a!.ok).toBe(true);
  });

  it('turns a throwing or hanging check into a failed one with a reason', async () => {
    const readiness = createReadiness(
      {
        throws: () => {
          throw new Error('connection refused');
        },
        hangs: () => new Promise(() => undefined),
      },
      { checkTimeoutMs: 50 },
    );
    const report = await readiness.check();
    expect(report.status).toBe('unavailable');
    expect(report.checks.throws).toEqual({ ok: false, detail: 'connection refused' });
    expect(report.checks.hangs).toEqual({ ok: false, detail: 'no answer within 50 ms' });
  });

  it('lets a pending check be replaced by the real one (warm-up)', async () => {
    const readiness = createReadiness();
    readiness.pending('browsers', 'warming up');
    expect((await readiness.check()).checks.browsers).toEqual({ ok: false, detail: 'warming up' });
    const stats = { size: 2, live: 2, idle: 2 };
    readiness.set('browsers', createBrowserPoolCheck({ stats: () => stats }));
    expect(await readiness.check()).toMatchObject({ status: 'ready', checks: { browsers: { ok: true, detail: '2 of 2 browsers live, 2 idle' } } });
    stats.live = 0;
    stats.idle = 0;
    expect(await readiness.check()).toMatchObject({ status: 'unavailable', checks: { browsers: { ok: false, detail: 'no live browser (0 of 2); browsers are launching' } } });
    expect(readiness.names()).toEqual(['browsers']);
  });

  it('says why no browser is live: the last launch error, the next attempt, and the sandbox state', async () => {
    const stats: ReturnType<PoolStatsSource['stats']> = { size: 2, live: 0, idle: 0, lastLaunchError: 'Check failed: sys_chroot("/proc/self/fdinfo/") == 0', nextLaunchAt: Date.now() + 4_000 };
    const check = createBrowserPoolCheck({ stats: () => stats }, { enabled: true, reason: 'a sandboxed trial launch worked' });
    const failing = await check();
    expect(failing.ok).toBe(false);
    expect(failing.detail).toMatch(/^no live browser \(0 of 2\); the last launch failed: Check failed: sys_chroot\("\/proc\/self\/fdinfo\/"\) == 0; next attempt in [1-4] s; Chromium sandbox on$/);
    Object.assign(stats, { live: 1, idle: 1, lastLaunchError: undefined, nextLaunchAt: undefined });
    const off = createBrowserPoolCheck({ stats: () => stats }, { enabled: false, reason: 'RENDER_CHROMIUM_SANDBOX=off' });
    expect(await off()).toEqual({ ok: true, detail: '1 of 2 browsers live, 1 idle; Chromium sandbox off (RENDER_CHROMIUM_SANDBOX=off)' });
  });
});

describe('createFfmpegCheck', () => {
  it('passes with the real ffmpeg (one-frame encode) and answers from its cache after that', async () => {
    let runs = 0;
    const check = createFfmpegCheck({ ffmpegPath: 'ffmpeg' });
    const first = await check.prime();
    expect(first).toEqual({ ok: true, detail: 'one-frame libx264 encode ok' });
    const counted = createFfmpegCheck({
      ffmpegPath: 'ffmpeg',
      run: async () => {
        runs++;
        return { code: 0, stdout: '', stderr: '' };
      },
    });
    await counted();
    await counted();
    await counted();
    expect(runs).toBe(1);
  });

  it('fails with a reason for a missing binary or a failing encode', async () => {
    const missing = await createFfmpegCheck({ ffmpegPath: '/nonexistent/ffmpeg' }).prime();
    expect(missing.ok).toBe(false);
    expect(missing.detail).toMatch(/ffmpeg/);
    // A real binary that exits non-zero on these arguments.
    const failing = await createFfmpegCheck({ ffmpegPath: 'false' }).prime();
    expect(failing).toMatchObject({ ok: false, detail: expect.stringMatching(/exit 1/) });
  });
});

describe('startOpsServer', () => {
  it('serves /metrics, /healthz (liveness only) and /readyz (200 or 503 with the checks) on its own port', async () => {
    const metrics = createFarmMetrics({ role: 'render' });
    const readiness = createReadiness({ redis: () => ({ ok: true, detail: 'reachable' }) });
    const ops = await startOpsServer({ port: 0, host: '127.0.0.1', registry: metrics.registry, readiness, info: { role: 'render' } });
    try {
      metrics.cacheLookup('store', 'hit');
      const scrape = await fetch(`${ops.url}/metrics`);
      expect(scrape.status).toBe(200);
      expect(scrape.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
      const samples = parseMetricsText(await scrape.text());
      expect(valueOf(samples, 'mastercut_cache_lookups_total', { layer: 'store', result: 'hit', role: 'render' })).toBe(1);
      expect(samples.some((s) => s.name === 'mastercut_process_resident_memory_bytes')).toBe(true);

      expect(await (await fetch(`${ops.url}/readyz`)).json()).toEqual({ status: 'ready', checks: { redis: { ok: true, detail: 'reachable' } } });
      readiness.pending('browsers', 'warming up');
      const notReady = await fetch(`${ops.url}/readyz`);
      expect(notReady.status).toBe(503);
      expect(await notReady.json()).toMatchObject({ status: 'unavailable', checks: { browsers: { ok: false, detail: 'warming up' } } });
      // Liveness does not follow readiness.
      const live = await fetch(`${ops.url}/healthz`);
      expect(live.status).toBe(200);
      expect(await live.json()).toMatchObject({ status: 'ok', role: 'render' });
      expect((await fetch(`${ops.url}/nope`)).status).toBe(404);
      expect((await fetch(`${ops.url}/metrics`, { method: 'POST' })).status).toBe(405);
    } finally {
      await ops.close();
    }
  });
});
