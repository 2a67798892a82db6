import { describe, expect, it } from 'vitest';
import { createFarmMetrics, metricLabels, metricNames } from '../../../../src/ops/index.js';
import { parseMetricsText, select, valueOf } from './parse-metrics-text.js';

/** The registry's metrics as JSON, by name. */
async function byName(metrics: ReturnType<typeof createFarmMetrics>) {
  const all = await metrics.registry.getMetricsAsJSON();
  return new Map(all.map((m) => [m.name, m]));
}

/** Values of a metric (JSON form), without the `role` default label. */
function values(metric: { values: { labels: Record<string, unknown>; value: number; metricName?: string }[] } | undefined, suffix = '') {
  return (metric?.values ?? [])
    .filter((v) => suffix === '' || (v.metricName ?? '').endsWith(suffix))
    .map(({ labels: { role: _role, ...labels }, value }) => ({ labels, value }));
}

const scrape = async (metrics: ReturnType<typeof createFarmMetrics>) => parseMetricsText(await metrics.metrics());

describe('createFarmMetrics', () => {
  it('registers every farm metric with its label names, and process metrics, all under mastercut_', async () => {
    const metrics = createFarmMetrics({ role: 'render' });
    const names = await byName(metrics);
    for (const [key, name] of Object.entries(metricNames)) {
      if (key === 'queueJobs') continue; // only once watchQueues is called (the API)
      expect(names.has(name), name).toBe(true);
    }
    expect(names.has('mastercut_process_cpu_seconds_total')).toBe(true);
    expect(names.has('mastercut_nodejs_eventloop_lag_seconds')).toBe(true);
    for (const name of names.keys()) expect(name.startsWith('mastercut_')).toBe(true);
  });

  it('keeps each registry apart (several in one process, none on the global registry)', async () => {
    const a = createFarmMetrics({ role: 'render', processMetrics: false });
    const b = createFarmMetrics({ role: 'transcode', processMetrics: false });
    a.cacheLookup('live', 'hit');
    const textA = await a.metrics();
    const textB = await b.metrics();
    expect(valueOf(parseMetricsText(textA), metricNames.cacheLookups, { layer: 'live', result: 'hit', role: 'render' })).toBe(1);
    expect(valueOf(parseMetricsText(textB), metricNames.cacheLookups, { layer: 'live', result: 'hit' })).toBe(0);
    const { register } = await import('prom-client');
    expect(register.getSingleMetric(metricNames.cacheLookups)).toBeUndefined();
  });

  it('labels job durations by queue and outcome (the onAttemptFinished hook)', async () => {
    const metrics = createFarmMetrics({ role: 'render', processMetrics: false });
    const hook = metrics.jobAttemptHook('render');
    hook({ outcome: 'completed', durationMs: 1500 });
    hook({ outcome: 'completed', durationMs: 500 });
    hook({ outcome: 'retried', durationMs: 100 });
    const samples = await scrape(metrics);
    const completed = { queue: 'render', outcome: 'completed', role: 'render' };
    expect(valueOf(samples, 'mastercut_job_duration_seconds_count', completed)).toBe(2);
    expect(valueOf(samples, 'mastercut_job_duration_seconds_sum', completed)).toBe(2);
    expect(valueOf(samples, 'mastercut_job_duration_seconds_count', { queue: 'render', outcome: 'retried' })).toBe(1);
    expect(valueOf(samples, 'mastercut_job_duration_seconds_bucket', { ...completed, le: '1' })).toBe(1);
  });

  it('keeps chunk jobs of split renders out of the job durations: their own histogram, frames counted, no fps sample', async () => {
    const metrics = createFarmMetrics({ role: 'render', processMetrics: false });
    const job = metrics.jobAttemptHook('render');
    const chunk = metrics.chunkAttemptHook();
    // One split render: two chunks (one retried), then the master's join.
    chunk({ outcome: 'retried', durationMs: 300 });
    chunk({ outcome: 'completed', durationMs: 2000 });
    chunk({ outcome: 'completed', durationMs: 2500 });
    job({ outcome: 'completed', durationMs: 600 });
    metrics.observeRender({ templateId: 'reference', variant: 'landscape', format: 'mp4', fps: 20, framesCaptured: 75, framesReused: 0 }, { chunk: true });
    metrics.observeRender({ templateId: 'reference', variant: 'landscape', format: 'mp4', fps: 20, framesCaptured: 75, framesReused: 0 }, { chunk: true });
    const samples = await scrape(metrics);
    expect(valueOf(samples, 'mastercut_job_duration_seconds_count', { queue: 'render', outcome: 'completed' })).toBe(1);
    expect(valueOf(samples, 'mastercut_render_chunk_duration_seconds_count', { outcome: 'completed', role: 'render' })).toBe(2);
    expect(valueOf(samples, 'mastercut_render_chunk_duration_seconds_sum', { outcome: 'completed' })).toBe(4.5);
    expect(valueOf(samples, 'mastercut_render_chunk_duration_seconds_count', { outcome: 'retried' })).toBe(1);
    const m = await byName(metrics);
    expect(values(m.get(metricNames.framesCaptured))).toEqual([{ labels: { template: 'reference', variant: 'landscape' }, value: 150 }]);
    expect(values(m.get(metricNames.renderFps), '_count')).toEqual([]);
  });

  it('counts frames captured and reused per template/variant, and fps of videos only', async () => {
    const metrics = createFarmMetrics({ role: 'render', processMetrics: false });
    metrics.observeRender({ templateId: 'reference', variant: 'landscape', format: 'mp4', fps: 12.5, framesCaptured: 40, framesReused: 20 });
    metrics.observeRender({ templateId: 'reference', variant: 'landscape', format: 'png', fps: 3, framesCaptured: 1, framesReused: 0 });
    const m = await byName(metrics);
    expect(values(m.get(metricNames.framesCaptured))).toEqual([{ labels: { template: 'reference', variant: 'landscape' }, value: 41 }]);
    expect(values(m.get(metricNames.framesReused))).toEqual([{ labels: { template: 'reference', variant: 'landscape' }, value: 20 }]);
    const count = values(m.get(metricNames.renderFps), '_count');
    expect(count).toEqual([{ labels: { template: 'reference', variant: 'landscape' }, value: 1 }]);
  });

  it('adds browser restarts from the pool stats as deltas on each scrape', async () => {
    const metrics = createFarmMetrics({ role: 'render', processMetrics: false });
    const stats = { size: 2, live: 2, idle: 1, restarts: 1, recycled: 0 };
    metrics.watchBrowserPool({ stats: () => stats });
    await metrics.metrics();
    stats.restarts = 3;
    stats.recycled = 2;
    const samples = await scrape(metrics);
    expect(valueOf(samples, metricNames.browserRestarts, { reason: 'crashed' })).toBe(3);
    expect(valueOf(samples, metricNames.browserRestarts, { reason: 'recycled' })).toBe(2);
    expect(valueOf(samples, metricNames.browsers, { state: 'live' })).toBe(2);
    expect(valueOf(samples, metricNames.browsers, { state: 'idle' })).toBe(1);
  });

  it('shows detected encoders as a gauge of 1 with kind, decode, h264, hevc and gpu', async () => {
    const metrics = createFarmMetrics({ role: 'transcode', processMetrics: false });
    metrics.setEncoders({ label: 'cpu', decode: 'cpu', h264: 'libx264' });
    metrics.setEncoders({ label: 'nvidia-decode', decode: 'cuda', h264: 'libx264' });
    const m = await byName(metrics);
    expect(values(m.get(metricNames.encoders))).toEqual([
      { labels: { kind: 'nvidia-decode', decode: 'cuda', h264: 'libx264', hevc: 'none', gpu: 'true' }, value: 1 },
    ]);
  });

  it('counts events by result from either counts shape (the ingester includes bots in accepted)', async () => {
    const metrics = createFarmMetrics({ role: 'api', processMetrics: false });
    metrics.onIngested({ accepted: 10, duplicates: 2, rejected: 1, bots: 3 });
    metrics.onIngested({ accepted: 1, bot: 1 });
    const m = await byName(metrics);
    const got = Object.fromEntries(values(m.get(metricNames.eventsIngested)).map((v) => [v.labels.result, v.value]));
    expect(got).toEqual({ accepted: 8, duplicate: 2, rejected: 1, bot: 4 });
  });

  it('counts webhook attempts by outcome and status class, failures apart, never by endpoint', async () => {
    const metrics = createFarmMetrics({ role: 'webhooks', processMetrics: false });
    metrics.onDelivery({ ok: true, status: 204, endpointId: 'ep_1' } as never);
    metrics.onDelivery({ ok: false, status: 503 });
    metrics.onDelivery({ ok: false, error: 'timeout', final: true });
    metrics.onDelivery({ ok: false });
    const text = await metrics.metrics();
    const samples = parseMetricsText(text);
    expect(valueOf(samples, metricNames.webhookDeliveries, { outcome: 'delivered', status_class: '2xx' })).toBe(1);
    expect(valueOf(samples, metricNames.webhookDeliveries, { outcome: 'failed', status_class: '5xx' })).toBe(1);
    expect(select(samples, metricNames.webhookDeliveries, { outcome: 'failed' }).reduce((n, s) => n + s.value, 0)).toBe(3);
    expect(valueOf(samples, metricNames.webhookFailures, { status_class: 'timeout', final: 'true' })).toBe(1);
    expect(valueOf(samples, metricNames.webhookFailures, { status_class: 'network', final: 'unknown' })).toBe(1);
    expect(text).not.toContain('ep_1');
  });

  it('records cold-render latency by asset kind and delivery, and never throws from a hook', async () => {
    const metrics = createFarmMetrics({ role: 'api', processMetrics: false });
    metrics.observeColdRender(2.5, { assetKind: 'master', delivery: 'stream' });
    expect(() => metrics.cacheLookup('live', undefined as never)).not.toThrow();
    expect(valueOf(await scrape(metrics), 'mastercut_live_cold_render_seconds_count', { asset_kind: 'master', delivery: 'stream', role: 'api' })).toBe(1);
  });

  it('declares the label names it documents', async () => {
    const metrics = createFarmMetrics({ role: 'api', processMetrics: false });
    metrics.cacheLookup('fast_path', 'miss');
    const m = await byName(metrics);
    expect(Object.keys(m.get(metricNames.cacheLookups)!.values[0]!.labels).sort()).toEqual([...metricLabels.cacheLookups, 'role'].sort());
  });
});
