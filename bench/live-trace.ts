/**
 * The main thread of a cold landing page, task by task (a diagnostic for
 * bench/live.ts, prints a timeline; not a benchmark and not a test).
 *
 *   npx tsx bench/live-trace.ts [opens=2]
 *
 * Starts the bench farm, then opens fresh cold links (one warm-up, then
 * `opens`) traced, as bench/live.ts's traced opens do, and prints every
 * top-level task of the page's renderer main thread from the navigation
 * start to playing: its start, wall and thread time, and the script,
 * style, layout, paint and frame events inside it, with the page's own
 * marks (first paint, first frame, playing) between them. Each open waits
 * until its MP4 is stored, so the next one starts on an idle farm. Then the
 * thread time of every browser thread to the first paint and to playing.
 * BENCH_TIMELINE=0 prints only those; BENCH_TRACE=0 opens untraced and
 * prints the times alone.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { chromium } from 'playwright-core';
import { findChromium } from '../src/encode/index.js';
import { openColdPage, waitUntilReady, type ColdPage } from './live-cold.js';
import { startBenchFarm } from './live-farm.js';

interface TraceEvent {
  name: string;
  ph: string;
  pid: number;
  tid: number;
  ts: number;
  dur?: number;
  tdur?: number;
  args?: { name?: string; data?: { documentLoaderURL?: string; url?: string; functionName?: string; type?: string } };
}

/**
 * Thread time per thread of every browser process from the navigation start
 * to `untilMs` (outermost complete events only), named `process/thread`:
 * where the CPU went besides the page's main thread (raster workers, the
 * compositor, the display compositor in the GPU process).
 */
function threadCpu(events: TraceEvent[], navTs: number, untilMs: number): string {
  const names = new Map<string, string>();
  const procs = new Map<number, string>();
  for (const e of events) {
    if (e.ph !== 'M') continue;
    if (e.name === 'thread_name') names.set(`${e.pid}:${e.tid}`, e.args?.name ?? '?');
    if (e.name === 'process_name') procs.set(e.pid, e.args?.name ?? '?');
  }
  const to = navTs + untilMs * 1000;
  const byThread = new Map<string, TraceEvent[]>();
  for (const e of events) {
    if (e.ph !== 'X' || e.ts + (e.dur ?? 0) < navTs || e.ts > to) continue;
    const key = `${e.pid}:${e.tid}`;
    byThread.set(key, [...(byThread.get(key) ?? []), e]);
  }
  const rows: [string, number][] = [];
  for (const [key, list] of byThread) {
    let total = 0;
    let openUntil = -Infinity;
    for (const e of list.sort((a, b) => a.ts - b.ts || (b.dur ?? 0) - (a.dur ?? 0))) {
      if (e.ts < openUntil) continue;
      openUntil = e.ts + (e.dur ?? 0);
      const dur = e.dur ?? 0;
      const start = Math.max(e.ts, navTs);
      const end = Math.min(e.ts + dur, to);
      if (dur > 0 && end > start) total += ((e.tdur ?? dur) * (end - start)) / dur;
    }
    const pid = Number(key.split(':')[0]);
    if (total >= 1000) rows.push([`${procs.get(pid) ?? pid}/${names.get(key) ?? key}`, total / 1000]);
  }
  return rows
    .sort((a, b) => b[1] - a[1])
    .map(([name, ms]) => `${name} ${ms.toFixed(1)}`)
    .join(', ');
}

const opens = Number(process.argv[2] ?? 2);
/** BENCH_TRACE=0: untraced opens, figures only (a quick A/B of a change; bench/live.ts gives the figures that count). */
const traced = process.env.BENCH_TRACE !== '0';

/** Inner events worth naming inside a task (the rest is folded into the task). */
const INNER = new Set([
  'ParseHTML',
  'EvaluateScript',
  'v8.compile',
  'v8.compileModule',
  'v8.evaluateModule',
  'FunctionCall',
  'TimerFire',
  'FireAnimationFrame',
  'EventDispatch',
  'RunMicrotasks',
  'UpdateLayoutTree',
  'Layout',
  'PrePaint',
  'Paint',
  'Layerize',
  'UpdateLayer',
  'CompositeLayers',
  'Commit',
  'BeginMainThreadFrame',
  'ResourceReceivedData',
  'ResourceFinish',
  'ParseAuthorStyleSheet',
  'Decode Image',
  'ImageDecodeTask',
  'MajorGC',
  'MinorGC',
  'V8.GC_SCAVENGER',
]);

function timeline(trace: Buffer, pageUrl: string, page: ColdPage): string[] {
  const parsed = JSON.parse(trace.toString('utf8')) as { traceEvents?: TraceEvent[] } | TraceEvent[];
  const events = Array.isArray(parsed) ? parsed : (parsed.traceEvents ?? []);
  const nav = events.find((e) => e.name === 'navigationStart' && e.args?.data?.documentLoaderURL === pageUrl);
  if (!nav) throw new Error('no navigationStart');
  const at = (ts: number) => (ts - nav.ts) / 1000;
  const until = nav.ts + (page.playableMs + 20) * 1000;
  const main = events
    .filter((e) => e.pid === nav.pid && e.tid === nav.tid && e.ph === 'X' && e.ts >= nav.ts && e.ts <= until)
    .sort((a, b) => a.ts - b.ts);
  const tasks = main.filter((e) => e.name === 'ThreadControllerImpl::RunTask');
  const marks: [number, string][] = [
    [page.breakdown.parsedMs, 'MARK parsed (domInteractive)'],
    [page.firstPaintMs, 'MARK first paint'],
    [page.bundleMs, 'MARK player.js end'],
    [page.liveMs, 'MARK first frame'],
    [page.playableMs, 'MARK playing'],
  ];
  const lines: [number, string][] = [...marks];
  for (const task of tasks) {
    const end = task.ts + (task.dur ?? 0);
    const inner = main.filter((e) => e !== task && e.ts >= task.ts && e.ts < end && INNER.has(e.name) && (e.dur ?? 0) >= 300);
    const names = inner
      .map((e) => {
        const d = e.args?.data;
        const what = d?.url ? ` ${d.url.split('/').pop()}` : d?.functionName ? ` ${d.functionName}` : d?.type ? ` ${d.type}` : '';
        return `${e.name}${what} @${at(e.ts).toFixed(1)} ${((e.dur ?? 0) / 1000).toFixed(1)}ms`;
      })
      .join(', ');
    if ((task.dur ?? 0) < 500 && !names) continue;
    lines.push([at(task.ts), `task ${((task.dur ?? 0) / 1000).toFixed(1)} ms wall, ${((task.tdur ?? 0) / 1000).toFixed(1)} ms cpu: ${names}`]);
  }
  // Frames drawn by the renderer's compositor (any thread of the page's process).
  for (const e of events) {
    if (e.pid !== nav.pid || e.ts < nav.ts || e.ts > until) continue;
    if (e.name === 'DrawFrame' || e.name === 'BeginFrame' || e.name === 'ActivateLayerTree' || e.name === 'NeedsBeginFrameChanged') {
      lines.push([at(e.ts), `  (tid ${e.tid}) ${e.name}`]);
    }
  }
  return [
    ...lines.sort((a, b) => a[0] - b[0]).map(([t, s]) => `${t.toFixed(1).padStart(7)} ms  ${s}`),
    `thread CPU (ms) to the first paint: ${threadCpu(events, nav.ts, page.firstPaintMs)}`,
    `thread CPU (ms) to playing: ${threadCpu(events, nav.ts, page.playableMs)}`,
  ];
}

const dir = await mkdtemp(path.join(os.tmpdir(), 'mastercut-bench-trace-'));
console.log(`bench/live-trace.ts on ${os.cpus().length} CPUs, load average ${os.loadavg().map((l) => l.toFixed(2)).join(' ')}`);
const farm = await startBenchFarm(dir);
const browser = await chromium.launch({
  executablePath: (await findChromium()).path,
  args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
});
const figures: ColdPage[] = [];
try {
  for (let i = 0; i <= opens; i++) {
    const link = await farm.createLink('year-recap', { firstName: `Trace${i}x${Date.now() % 100_000}`, nightsStayed: (Date.now() + i) % 300 });
    let trace: Buffer | undefined;
    const page = await openColdPage(browser, link.url, { bundle: 'player.js', trace: traced, onTrace: (t) => (trace = t) });
    await waitUntilReady(link.url);
    const b = page.breakdown;
    console.log(
      `${traced ? '\n' : ''}${i === 0 ? 'warm-up' : `open ${i}`}: parsed ${b.parsedMs.toFixed(0)}, first paint ${page.firstPaintMs.toFixed(0)}, player.js fetch ${b.bundleStartMs.toFixed(0)} 1st byte ${b.bundleFirstByteMs.toFixed(0)} end ${page.bundleMs.toFixed(0)}, first frame ${page.liveMs.toFixed(0)}, playing ${page.playableMs.toFixed(0)} ms`,
    );
    if (i > 0) figures.push(page);
    if (i > 0 && trace) for (const line of timeline(trace, link.url, page)) if (process.env.BENCH_TIMELINE !== '0' || line.startsWith('thread CPU')) console.log(line);
  }
  const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor((values.length - 1) / 2)]!.toFixed(0);
  console.log(
    `median of ${figures.length}: first paint ${median(figures.map((p) => p.firstPaintMs))}, player.js 1st byte ${median(figures.map((p) => p.breakdown.bundleFirstByteMs))}, end ${median(figures.map((p) => p.bundleMs))},` +
      ` first frame ${median(figures.map((p) => p.liveMs))}, playing ${median(figures.map((p) => p.playableMs))} ms; load average ${os.loadavg().map((l) => l.toFixed(2)).join(' ')}`,
  );
} finally {
  await browser.close();
  await farm.stop();
  await rm(dir, { recursive: true, force: true });
}
