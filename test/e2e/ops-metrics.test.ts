import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { QUEUE_STATES } from '../../src/ops/index.js';
import { startTestRedis, type EmbeddedRedis } from '../helpers/redis-server.js';
import { startApiProcess, startTranscodeProcess, startWorkerProcess, stopFarmProcesses, untilReady, type WorkerChild } from '../helpers/worker-process.js';
import { parseMetricsText, select, valueOf, type Sample } from '../unit/ops/metrics/parse-metrics-text.js';
import { untilFannedOut } from '../helpers/campaign-fanned-out.js';

/**
 * "Metrics after a small campaign": an API, a render worker and a transcode
 * worker, each its own process with its own operations port (METRICS_PORT=0),
 * one prerendered email campaign, one lazy Live URL opened twice, a few
 * engagement events; then every process's /metrics is scraped.
 */
let redis: EmbeddedRedis;
let dir: string;
let api: WorkerChild & { url: string };
let render: WorkerChild;
let transcode: WorkerChild;
const children: WorkerChild[] = [];
const auth = { authorization: 'Bearer farm-key' };

/** The operations URL a process logged (`metrics listening` with its port). */
async function opsUrl(child: WorkerChild): Promise<string> {
  const deadline = Date.now() + 60_000;
  for (;;) {
    const port = /"port":(\d+)[^\n]*"msg":"metrics listening"/.exec(child.output())?.[1];
    if (port) return `http://127.0.0.1:${port}`;
    if (child.proc.exitCode !== null || Date.now() > deadline) throw new Error(`no metrics port logged:\n${child.output()}`);
    await sleep(50);
  }
}

async function scrape(child: WorkerChild): Promise<Sample[]> {
  const res = await fetch(`${await opsUrl(child)}/metrics`);
  expect(res.status).toBe(200);
  return parseMetricsText(await res.text());
}

async function fetchWhenReady(url: string, timeoutMs: number): Promise<Response> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const res = await fetch(`${api.url}${url}`);
    if (res.status === 200 || Date.now() > deadline) return res;
    await res.arrayBuffer();
    await sleep(300);
  }
}

const sum = (samples: Sample[]) => samples.reduce((n, s) => n + s.value, 0);

beforeAll(async () => {
  redis = await startTestRedis();
  dir = await mkdtemp(path.join(os.tmpdir(), 'mastercut-ops-metrics-'));
  const common = { redisUrl: redis.url, storeRoot: path.join(dir, 'storage') };
  api = await startApiProcess(common);
  render = startWorkerProcess({ ...common, env: { RENDER_POOL_SIZE: '2' } });
  transcode = startTranscodeProcess(common);
  children.push(api, render, transcode);
  await Promise.all([untilReady(render), untilReady(transcode)]);
}, 120_000);

afterAll(async () => {
  await stopFarmProcesses(children);
  await redis?.destroy();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('metrics after a small campaign (API, render and transcode processes)', () => {
  it('every process serves /healthz and a ready /readyz on its own port, apart from the API port', async () => {
    for (const child of children) {
      const base = await opsUrl(child);
      expect(base).not.toBe(api.url);
      expect((await fetch(`${base}/healthz`)).status).toBe(200);
      const ready = await fetch(`${base}/readyz`);
      const body = (await ready.json()) as { status: string; checks: Record<string, { ok: boolean }> };
      expect({ status: ready.status, body: body.status }).toEqual({ status: 200, body: 'ready' });
      expect(body.checks.redis?.ok).toBe(true);
    }
    const renderChecks = (await (await fetch(`${await opsUrl(render)}/readyz`)).json()) as { checks: Record<string, unknown> };
    expect(Object.keys(renderChecks.checks).sort()).toEqual(['browsers', 'ffmpeg', 'redis']);
    const transcodeChecks = (await (await fetch(`${await opsUrl(transcode)}/readyz`)).json()) as { checks: Record<string, unknown> };
    expect(Object.keys(transcodeChecks.checks).sort()).toEqual(['encoders', 'ffmpeg', 'redis']);
    // The public API's /readyz carries the Redis policy check too.
    expect(await (await fetch(`${api.url}/readyz`)).json()).toMatchObject({ status: 'ready', checks: { redis: { ok: true } } });
  });

  it('shows each metric of the issue with its labels after a campaign, a Live URL opened twice and some events', async () => {
    // A prerendered web campaign: one master, then its poster and web MP4 on the transcode worker.
    const created = await fetch(`${api.url}/v1/campaigns?templateId=reference&channels=web`, {
      method: 'POST',
      headers: { ...auth, 'content-type': 'text/csv' },
      body: 'recipientId,name,points\nm1,Ada,10\n',
    });
    expect(created.status).toBe(202);
    const { id } = (await created.json()) as { id: string };
    await untilFannedOut(api.url, id, auth);
    const manifest = await (await fetch(`${api.url}/v1/campaigns/${id}/manifest`, { headers: auth })).text();
    const [header, row] = manifest.trim().split('\n');
    const cell = Object.fromEntries(row!.split(',').map((value, i) => [header!.split(',')[i], value]));
    expect((await fetchWhenReady(cell.web_url!, 90_000)).status).toBe(200); // /v1/outputs: misses, then a hit
    for (const asset of [cell.web_video_mp4_url!, cell.web_poster_jpg_url!]) {
      const res = await fetchWhenReady(asset, 60_000);
      expect(res.status).toBe(200);
      await res.arrayBuffer();
    }
    // The render worker published the master: the recipient's `delivered` event is in the campaign's metrics.
    let delivered: { overall: { funnel: { delivered: number } }; channels: Record<string, { funnel: { delivered: number } }> } | undefined;
    for (const deadline = Date.now() + 15_000; Date.now() < deadline; await new Promise((r) => setTimeout(r, 250))) {
      delivered = (await (await fetch(`${api.url}/v1/campaigns/${id}/metrics`, { headers: auth })).json()) as typeof delivered;
      if (delivered!.overall.funnel.delivered === 1) break;
    }
    expect(delivered!.overall.funnel.delivered).toBe(1);
    expect(delivered!.channels.web!.funnel.delivered).toBe(1);

    // A lazy Live URL: the first open is a miss (a cold render), the next ones hit.
    const lazy = await fetch(`${api.url}/v1/campaigns?templateId=reference&channels=web&mode=lazy`, {
      method: 'POST',
      headers: { ...auth, 'content-type': 'text/csv' },
      body: 'recipientId,name,points\nz1,Zoe,5\n',
    });
    const lazyId = ((await lazy.json()) as { id: string }).id;
    await untilFannedOut(api.url, lazyId, auth);
    const lazyManifest = await (await fetch(`${api.url}/v1/campaigns/${lazyId}/manifest`, { headers: auth })).text();
    const video = lazyManifest.trim().split('\n')[1]!.split(',')[2]!;
    const first = await fetch(`${api.url}${video}`);
    expect(first.status).toBe(200);
    expect((await first.arrayBuffer()).byteLength).toBeGreaterThan(10_000);
    for (let i = 0; i < 2; i++) {
      const again = await fetch(`${api.url}${video}`);
      expect(again.status).toBe(200);
      await again.arrayBuffer();
    }

    // Engagement events: one new, the same one again (duplicate), one invalid.
    const event = { id: `ev-${Date.now()}`, type: 'play', campaignId: id, recipientId: 'm1', channel: 'email', templateId: 'reference', ts: Date.now() };
    for (const events of [[event], [event], [{ ...event, id: 'x', type: 'nope' }]]) {
      const res = await fetch(`${api.url}/v1/events`, { method: 'POST', headers: { ...auth, 'content-type': 'application/json' }, body: JSON.stringify({ events }) });
      await res.arrayBuffer();
    }

    // Workers publish before they finish their job: wait until both queues have nothing left in flight.
    const deadline = Date.now() + 60_000;
    let apiSamples: Sample[];
    for (;;) {
      apiSamples = await scrape(api);
      const busy = ['render', 'transcode'].some((queue) =>
        ['waiting', 'active', 'delayed', 'prioritized'].some((state) => valueOf(apiSamples, 'mastercut_queue_jobs', { queue, state }) > 0),
      );
      if (!busy || Date.now() > deadline) break;
      await sleep(250);
    }

    // API: queue depth for every queue and state (one source), cache lookups, cold renders, events.
    for (const queue of ['render', 'transcode', 'webhooks']) {
      expect(select(apiSamples, 'mastercut_queue_jobs', { queue }).map((s) => s.labels.state).sort()).toEqual([...QUEUE_STATES].sort());
    }
    // Jobs done, as the queue (render jobs are kept an hour) and the workers' logs tell (transcode jobs are removed when done).
    const renderDone = valueOf(apiSamples, 'mastercut_queue_jobs', { queue: 'render', state: 'completed' });
    expect(renderDone).toBe(2); // the campaign's master and the Live URL's
    expect(render.output().match(/"msg":"render published"/g)).toHaveLength(renderDone);
    const transcodeDone = transcode.output().match(/"msg":"deliverable published"/g)?.length ?? 0;
    expect(transcodeDone).toBeGreaterThanOrEqual(2); // the web MP4 and poster, for the campaign and for the Live URL
    const lookups = (layer: string, result: string) => valueOf(apiSamples, 'mastercut_cache_lookups_total', { layer, result, role: 'api' });
    expect(lookups('store', 'hit')).toBeGreaterThanOrEqual(1);
    expect(lookups('live', 'miss')).toBe(1);
    expect(lookups('live', 'hit') + lookups('fast_path', 'hit')).toBe(2);
    expect(lookups('fast_path', 'miss')).toBeGreaterThanOrEqual(1);
    const cold = select(apiSamples, 'mastercut_live_cold_render_seconds_count');
    expect(sum(cold)).toBe(1);
    expect(['master', 'deliverable']).toContain(cold[0]!.labels.asset_kind);
    expect(['stream', 'wait']).toContain(cold[0]!.labels.delivery);
    expect(sum(select(apiSamples, 'mastercut_live_cold_render_seconds_sum'))).toBeGreaterThan(0);
    const events = (result: string) => valueOf(apiSamples, 'mastercut_events_ingested_total', { result });
    expect(events('accepted')).toBeGreaterThanOrEqual(1);
    expect(events('duplicate')).toBeGreaterThanOrEqual(1);
    expect(events('rejected')).toBeGreaterThanOrEqual(1);
    expect(select(apiSamples, 'mastercut_events_ingested_total', { result: 'bot' })).toHaveLength(1);
    expect(select(apiSamples, 'mastercut_process_cpu_seconds_total', { role: 'api' })).toHaveLength(1);

    // Render worker: job durations (one per job done), frames, fps, browsers.
    const r = await scrape(render);
    expect(valueOf(r, 'mastercut_job_duration_seconds_count', { queue: 'render', outcome: 'completed', role: 'render' })).toBe(renderDone);
    expect(valueOf(r, 'mastercut_job_duration_seconds_sum', { queue: 'render', outcome: 'completed' })).toBeGreaterThan(0);
    const captured = valueOf(r, 'mastercut_render_frames_captured_total', { template: 'reference', variant: 'landscape' });
    const reused = valueOf(r, 'mastercut_render_frames_reused_total', { template: 'reference', variant: 'landscape' });
    expect(captured).toBeGreaterThan(0);
    expect(reused).toBeGreaterThanOrEqual(0);
    expect(valueOf(r, 'mastercut_render_fps_count', { template: 'reference', variant: 'landscape' })).toBe(2);
    expect(valueOf(r, 'mastercut_render_fps_sum', { template: 'reference', variant: 'landscape' })).toBeGreaterThan(0);
    expect(valueOf(r, 'mastercut_browser_restarts_total', { reason: 'crashed' })).toBe(0);
    expect(valueOf(r, 'mastercut_browser_restarts_total', { reason: 'recycled' })).toBe(0);
    expect(valueOf(r, 'mastercut_browsers', { state: 'live' })).toBe(2);
    expect(select(r, 'mastercut_queue_jobs')).toEqual([]); // the API is the one source of queue depth

    // Transcode worker: its encoders and its job durations.
    const t = await scrape(transcode);
    expect(valueOf(t, 'mastercut_transcode_encoders', { kind: 'cpu', decode: 'cpu', h264: 'libx264', hevc: 'none', gpu: 'false', role: 'transcode' })).toBe(1);
    expect(valueOf(t, 'mastercut_job_duration_seconds_count', { queue: 'transcode', outcome: 'completed' })).toBe(transcodeDone);
    expect(select(t, 'mastercut_queue_jobs')).toEqual([]);
  }, 240_000);
});
