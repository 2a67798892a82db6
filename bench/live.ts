/**
 * Live URL benchmark (prints figures; not a test).
 *
 *   npx tsx bench/live.ts [seconds=10] [coldRuns=3]
 *
 * `seconds=0` skips the cached hits, `coldRuns=0` the cold opens; with
 * BENCH_KEEP=1 the temp dir (every process's log) is kept and printed;
 * BENCH_PINNED=0 skips the pinned set of cold opens (below).
 *
 * Starts a private farm (redis-server, the API, a render worker and a
 * transcode worker, each its own process), then:
 *
 * 1. Cached hits. Renders a `reference` video through the farm (a real Live
 *    link, rendered on its first open, at ENCODE_CRF=24 so the file is about
 *    250 KB (a streamed master has no B-frames; it was about 200 KB with them);
 *    the default CRF 20 gives more; the render worker is then
 *    replaced by one with default settings), then loads `/l/<token>/video.mp4`
 *    with 50 keep-alive connections for `seconds` (after a 1 s warm-up)
 *    from a load generator in its own process (bench/live-load.ts). In the
 *    same run nginx serves the same bytes from disk, with
 *    `worker_processes 1` (the fair reference: the API is one Node process)
 *    and with `auto` (every core), in two alternating rounds. Targets: >= 50%
 *    of nginx's rate, p99 < 25 ms.
 * 2. Cold opens of `year-recap` landscape (`channels: ['web']`), fresh props
 *    each run: time to the first and last byte of `video.mp4` (target for the
 *    first byte: < 1.5 s), and in Chromium the landing page with each player
 *    bundle, the lean `player.js` and the full `bundle.js` it loaded before,
 *    in the same run: navigation start to the first paint, the player's first
 *    frame (the composition drawn), playing (its frame counter past frame 0,
 *    as `currentTime > 0` for a video; target < 300 ms), the first change on
 *    screen (template-dependent; bench/live-cold.ts), where that time went (the HTML's
 *    first and last byte, the document parsed, `player.js`'s fetch start and
 *    first and last byte; per open and as medians), the JavaScript before the first
 *    frame (target <= 250 KiB), layout shift, and (traced opens) the
 *    main-thread CPU to the first frame (target <= 100 ms). One warm-up run
 *    first, printed apart. The CPU is the thread time (CPU, not wall) of the
 *    page's renderer main thread in a Chromium trace, so other processes on
 *    the machine slow it less than they slow the wall times; the page is not
 *    polled while it loads (it logs a console message once it plays), so no
 *    Playwright evaluation runs on that thread inside the measured window.
 *    These opens share both cores with the farm's cold render, and the target
 *    line reads them. Then, on 2 CPUs or more, the same cold opens of the new
 *    page again with the farm pinned to CPU 1 and up and the browser to CPU 0
 *    (`taskset`; bench/live-pin.ts), printed apart and marked as not the
 *    target: a viewer's browser does not share the farm's cores.
 *
 * On a 2-core machine the load generator and the server share the CPU: the
 * CPU seconds each used are printed next to the rates.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { chromium, type Browser } from 'playwright-core';
import { findChromium } from '../src/encode/index.js';
import { fetchColdVideo, openColdPage, waitUntilReady, type ColdPage, type ColdVideo, type PageBundle } from './live-cold.js';
import { loadInChild, startBenchFarm, type BenchFarm } from './live-farm.js';
import type { LoadResult as GeneratorResult } from './live-load.js';
import { findNginx, startNginx } from './live-nginx.js';
import { pinProcess, pinProcessTrees } from './live-pin.js';

const seconds = Number(process.argv[2] ?? 10);
/** The pinned set of cold opens (bench/live-pin.ts) runs after the shared one unless BENCH_PINNED=0; it needs 2 CPUs. */
const pinned = process.env.BENCH_PINNED !== '0' && os.cpus().length >= 2;
const coldRuns = Number(process.argv[3] ?? 3);
const CONNECTIONS = 50;
const ROUNDS = 2;

/** The load generator's figures, plus the CPU seconds the server used meanwhile (warm-up included). */
type LoadResult = GeneratorResult & { serverCpuS: number };

const ms = (v: number) => (Number.isFinite(v) ? `${v.toFixed(v < 10 ? 2 : 0)} ms` : 'n/a');
const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor((values.length - 1) / 2)]!;

/** Loads `target` from bench/live-load.ts in its own process. */
function load(target: string, serverPid: number, expectBytes: number): Promise<LoadResult> {
  return loadInChild({ url: target, connections: CONNECTIONS, durationMs: seconds * 1000, warmupMs: 1000, expectBytes }, serverPid);
}

function printLoad(name: string, r: LoadResult): void {
  const perReq = r.requests > 0 ? (r.serverCpuS * 1e6) / r.requests : Number.NaN;
  console.log(
    `  ${name.padEnd(40)} ${r.rps.toFixed(0).padStart(6)} req/s  p50 ${ms(r.p50Ms).padStart(8)}  p99 ${ms(r.p99Ms).padStart(8)}  max ${ms(r.maxMs).padStart(8)}` +
      `  ${r.mbPerSec.toFixed(0)} MB/s  failures ${r.failures}  server CPU ${r.serverCpuS.toFixed(1)} s (${perReq.toFixed(0)} µs/req incl. warm-up)  client CPU ${r.clientCpuS.toFixed(1)} s`,
  );
}

async function cachedHits(farm: BenchFarm, dir: string): Promise<void> {
  console.log(`\nCached hits: /l/<token>/video.mp4, ${CONNECTIONS} connections, ${seconds} s (after a 1 s warm-up)`);
  const link = await farm.createLink('reference', { name: 'Bench Cached', points: 200 });
  // The first open renders it (streamed while it renders); then it is a cached file.
  const cold = await fetchColdVideo(link.assets.video!);
  await waitUntilReady(link.url);
  const res = await fetch(link.assets.video!);
  const bytes = Buffer.from(await res.arrayBuffer());
  if (res.status !== 200 || res.headers.get('x-mastercut-stream')) throw new Error(`cached video: ${res.status}`);
  const file = path.join(dir, 'cached.mp4');
  await writeFile(file, bytes);
  console.log(`  file: ${(bytes.length / 1024).toFixed(0)} KB (${bytes.length} bytes), a real render of \`reference\` (ENCODE_CRF=24) by the farm on first open in ${ms(cold.completeMs)}`);

  const nginxBin = findNginx();
  if (!nginxBin) console.log('  nginx: not installed; install nginx-light to get the reference figure (it is not in scripts/system-packages.txt).');
  // Two rounds, each ours then nginx: the machine's other load drifts, and alternating keeps the comparison fair.
  const ours: LoadResult[] = [];
  const nginx: Record<'1' | 'auto', LoadResult[]> = { '1': [], auto: [] };
  for (let round = 1; round <= ROUNDS; round++) {
    const r = await load(link.assets.video!, farm.api.proc.pid!, bytes.length);
    printLoad(`round ${round}: mastercut API (1 process)`, r);
    ours.push(r);
    if (!nginxBin) continue;
    for (const workers of [1, 'auto'] as const) {
      const server = await startNginx(nginxBin, file, workers);
      try {
        const n = await load(server.url, server.pid, bytes.length);
        printLoad(`round ${round}: nginx worker_processes ${workers}`, n);
        nginx[workers].push(n);
      } finally {
        await server.stop();
      }
    }
  }
  const rate = (runs: LoadResult[]) => runs.reduce((sum, r) => sum + r.rps, 0) / runs.length;
  const worstP99 = Math.max(...ours.map((r) => r.p99Ms));
  if (!nginxBin) {
    console.log(`  mastercut: ${rate(ours).toFixed(0)} req/s on average; targets: p99 < 25 ms in every round: ${worstP99 < 25 ? 'met' : 'NOT met'}`);
    return;
  }
  const share = (ref: LoadResult[]) => (rate(ours) / rate(ref)) * 100;
  console.log(
    `  mastercut / nginx(1 worker, the fair comparison: one process each): ${share(nginx['1']).toFixed(0)}% (rounds: ${ours.map((r, i) => `${((r.rps / nginx['1'][i]!.rps) * 100).toFixed(0)}%`).join(', ')})` +
      `   mastercut / nginx(auto, ${os.cpus().length} workers): ${share(nginx.auto).toFixed(0)}%`,
  );
  console.log(`  targets: >= 50% of nginx(1): ${share(nginx['1']) >= 50 ? 'met' : 'NOT met'}; p99 < 25 ms in every round: ${worstP99 < 25 ? 'met' : 'NOT met'} (worst ${ms(worstP99)})`);
}

const BUNDLES: readonly PageBundle[] = ['player.js', 'bundle.js'];
const BUNDLE_NAMES: Record<PageBundle, string> = { 'player.js': 'new page (player.js)', 'bundle.js': 'old bundle (bundle.js)' };
const kib = (bytes: number) => `${(bytes / 1024).toFixed(1)} KiB`;
const jsBytes = (p: ColdPage) => p.jsBytes.inline + p.jsBytes.files;

/** One cold open of a fresh link's landing page, then waits until the farm is idle again. */
async function openPage(farm: BenchFarm, browser: Browser, run: number, bundle: PageBundle, trace: boolean): Promise<ColdPage> {
  const link = await farm.createLink('year-recap', { firstName: `Page${run}${bundle[0]}${trace ? 't' : ''}x${Date.now() % 100_000}`, nightsStayed: (Date.now() + run) % 300 });
  const page = await openColdPage(browser, link.url, { bundle, trace });
  await waitUntilReady(link.url);
  await fetch(link.assets.poster!).then((r) => r.arrayBuffer());
  return page;
}

function describePage(p: ColdPage): string {
  return (
    `html ${ms(p.htmlMs)}, first paint ${ms(p.firstPaintMs)}, bundle ${ms(p.bundleMs)} (${p.bundleKB.toFixed(1)} KiB), first frame ${ms(p.liveMs)}, playing (${p.mode}) ${ms(p.playableMs)}, first change on screen ${ms(p.changedMs)};` +
    ` JS before the first frame ${jsBytes(p)} bytes = ${kib(jsBytes(p))} (inline ${p.jsBytes.inline} + files ${p.jsBytes.files}); layout shift ${p.layoutShift.toFixed(4)}`
  );
}

/**
 * Where an open's time went, as steps from the navigation start: the HTML
 * (request sent, first byte: the server's time plus the bench's router, last
 * byte), the document parsed (the inline client run), the first paint,
 * `player.js` (fetch started, first and last byte), the first frame (the bundle
 * evaluated and the player mounted with the composition drawn, after its last
 * byte or the first paint, whichever was later) and playing (the frame counter
 * past frame 0).
 */
function breakdownSteps(p: ColdPage): [string, number][] {
  const b = p.breakdown;
  return [
    ['html sent', b.htmlRequestMs],
    ['html 1st byte', p.htmlMs],
    ['html end', b.htmlEndMs],
    ['parsed', b.parsedMs],
    ['first paint', p.firstPaintMs],
    ['player.js fetch', b.bundleStartMs],
    ['player.js 1st byte', b.bundleFirstByteMs],
    ['player.js end', p.bundleMs],
    ['first frame', p.liveMs],
    ['playing', p.playableMs],
  ];
}

function describeBreakdown(steps: [string, number][], p: { liveMs: number; bundleMs: number; firstPaintMs: number; playableMs: number }): string {
  const mount = p.liveMs - Math.max(p.bundleMs, p.firstPaintMs);
  return (
    `breakdown: ${steps.map(([name, at]) => `${name} ${ms(at)}`).join(' > ')}` +
    ` (first frame - max(player.js end, first paint) ${ms(mount)}, playing - first frame ${ms(p.playableMs - p.liveMs)})`
  );
}

function describeCpu(p: ColdPage): string {
  const c = p.cpu!;
  return `main-thread CPU to the first frame ${ms(c.mainThreadMs)} (scripts ${ms(c.scriptMs)}, of which the bundle's compile + evaluation ${ms(c.bundleEvaluationMs)}); traced first frame ${ms(p.liveMs)}, playing ${ms(p.playableMs)}`;
}

/**
 * How a set of cold opens shares the machine: `shared`, the browser and the
 * farm on every core (the target line reads this one); `pinned`, the farm
 * (and everything it started) on CPU 1 and up, the browser and this process
 * on CPU 0, lean page only: closer to production, where the viewer's browser
 * is not on the farm's cores (bench/live-pin.ts).
 */
type CpuSetting = 'shared' | 'pinned';

async function coldOpens(farm: BenchFarm, cpus: CpuSetting): Promise<void> {
  const bundles: readonly PageBundle[] = cpus === 'shared' ? BUNDLES : ['player.js'];
  const tag = cpus === 'shared' ? '' : ' [pinned]';
  if (cpus === 'pinned') {
    // Everything under this process (redis, the API, the workers and their browsers and encoders) on CPU 1 and up, then
    // this process alone back on CPU 0: the browser launched next inherits it.
    await pinProcessTrees([process.pid], `1-${os.cpus().length - 1}`);
    await pinProcess(process.pid, '0');
    console.log(`\nCold opens, PINNED (not the target line): the farm (redis, API, workers, their browsers and ffmpeg) on CPU 1-${os.cpus().length - 1}, the measuring browser on CPU 0; new page only`);
  } else console.log(`\nCold opens, SHARED cores (the target line): year-recap landscape (channels ['web']), fresh props each run, ${coldRuns} runs after one warm-up`);
  if (cpus === 'shared') {
    console.log('  Each run: one raw video.mp4, then the landing page with each player bundle, alternating which goes first, each opened twice on');
    console.log('  its own fresh link (each open starts a cold render, as a real first open does): untraced for the times, traced (Chromium');
    console.log('  tracing, thread time) for the main-thread CPU. The old bundle is the same page with its two mentions of player.js swapped for');
    console.log('  bundle.js (the full bundle: zod, page API; what the page loaded until now), imported the same way.');
  } else console.log(`  Each run as above (${coldRuns} runs after one warm-up), with the new page only, in a browser launched on CPU 0.`);
  const browser = await chromium.launch({
    executablePath: (await findChromium()).path,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
  });
  const videos: ColdVideo[] = [];
  const pages: Record<PageBundle, { open: ColdPage[]; traced: ColdPage[] }> = { 'player.js': { open: [], traced: [] }, 'bundle.js': { open: [], traced: [] } };
  try {
    for (let run = 0; run <= coldRuns; run++) {
      const videoLink = await farm.createLink('year-recap', { firstName: `Video${run}x${Date.now() % 100_000}`, nightsStayed: (Date.now() + run) % 300 });
      const video = await fetchColdVideo(videoLink.assets.video!);
      await waitUntilReady(videoLink.url);
      await fetch(videoLink.assets.poster!).then((r) => r.arrayBuffer());
      const label = run === 0 ? 'warm-up (first after start, not in the medians)' : `run ${run}`;
      console.log(`  ${label}: video ${video.status}${video.streamed ? ' streamed' : ''} first byte ${ms(video.firstByteMs)}, complete ${ms(video.completeMs)} (${(video.bytes / 1024).toFixed(0)} KB)`);
      const order = run % 2 === 0 ? bundles : [...bundles].reverse();
      for (const bundle of order) {
        const open = await openPage(farm, browser, run, bundle, false);
        const traced = await openPage(farm, browser, run, bundle, true);
        console.log(`    ${BUNDLE_NAMES[bundle].padEnd(24)} ${describePage(open)}`);
        console.log(`    ${''.padEnd(24)} ${describeBreakdown(breakdownSteps(open), open)}`);
        console.log(`    ${''.padEnd(24)} ${describeCpu(traced)}`);
        if (run > 0) {
          pages[bundle].open.push(open);
          pages[bundle].traced.push(traced);
        }
      }
      if (run > 0) videos.push(video);
    }
  } finally {
    await browser.close();
    if (cpus === 'pinned') await pinProcessTrees([process.pid], `0-${os.cpus().length - 1}`);
  }
  if (videos.length === 0) return;
  const firstByte = median(videos.map((v) => v.firstByteMs));
  console.log(`  median${tag}: video first byte ${ms(firstByte)} (target < 1.5 s: ${firstByte < 1500 ? 'met' : 'NOT met'}), complete MP4 ${ms(median(videos.map((v) => v.completeMs)))}`);
  const figures = (bundle: PageBundle) => {
    const { open, traced } = pages[bundle];
    return {
      playing: median(open.map((p) => p.playableMs)),
      changed: median(open.map((p) => p.changedMs)),
      firstFrame: median(open.map((p) => p.liveMs)),
      firstPaint: median(open.map((p) => p.firstPaintMs)),
      js: median(open.map(jsBytes)),
      shift: Math.max(...open.map((p) => p.layoutShift)),
      cpu: median(traced.map((p) => p.cpu!.mainThreadMs)),
      script: median(traced.map((p) => p.cpu!.scriptMs)),
      evaluation: median(traced.map((p) => p.cpu!.bundleEvaluationMs)),
    };
  };
  for (const bundle of bundles) {
    const f = figures(bundle);
    console.log(
      `  median${tag}, ${BUNDLE_NAMES[bundle].padEnd(24)} playing ${ms(f.playing)}, first change on screen ${ms(f.changed)}, first frame ${ms(f.firstFrame)}, first paint ${ms(f.firstPaint)}, JS before the first frame ${f.js} bytes (${kib(f.js)}),` +
        ` main-thread CPU to the first frame ${ms(f.cpu)} (scripts ${ms(f.script)}, bundle compile + evaluation ${ms(f.evaluation)}), worst layout shift ${f.shift.toFixed(4)}`,
    );
  }
  // The median of each step on its own (so the steps need not add up to one run).
  const leanOpens = pages['player.js'].open;
  const stepMedians = breakdownSteps(leanOpens[0]!).map(([name], i): [string, number] => [name, median(leanOpens.map((p) => breakdownSteps(p)[i]![1]))]);
  const at = (name: string) => stepMedians.find(([n]) => n === name)![1];
  console.log(
    `  median${tag}, ${BUNDLE_NAMES['player.js'].padEnd(24)} ${describeBreakdown(stepMedians, { liveMs: at('first frame'), bundleMs: at('player.js end'), firstPaintMs: at('first paint'), playableMs: at('playing') })}`,
  );
  const lean = figures('player.js');
  const verdict = (ok: boolean) => (ok ? 'met' : 'NOT met');
  console.log(
    `  ${cpus === 'shared' ? 'targets (new page, shared cores)' : 'pinned, for comparison (NOT the target line)'}: JS before the first frame <= 250 KiB: ${verdict(lean.js <= 250 * 1024)} (${kib(lean.js)}, ${lean.js} bytes);` +
      ` script evaluation + mount <= 100 ms of main-thread CPU: ${verdict(lean.cpu <= 100)} (all main-thread tasks to the first frame: ${ms(lean.cpu)}, of which scripts ${ms(lean.script)});` +
      ` page playing p50 < 300 ms: ${verdict(lean.playing < 300)} (${ms(lean.playing)}); no layout shift: ${verdict(lean.shift === 0)}`,
  );
}

const dir = await mkdtemp(path.join(os.tmpdir(), 'mastercut-bench-live-'));
console.log(`bench/live.ts on ${os.cpus().length} CPUs (${os.cpus()[0]?.model ?? '?'}), load average ${os.loadavg().map((l) => l.toFixed(2)).join(' ')}, node ${process.version}`);
let farm: BenchFarm | undefined;
try {
  // The cached file is a real render of `reference`, encoded at CRF 24 so it is about 250 KB (the default, CRF 20, gives more);
  // the cold opens then run on a render worker with the default settings.
  farm = await startBenchFarm(dir, seconds > 0 ? { ENCODE_CRF: '24' } : {});
  if (seconds > 0) {
    await cachedHits(farm, dir);
    await farm.replaceRenderWorker();
  }
  if (coldRuns > 0) await coldOpens(farm, 'shared');
  if (coldRuns > 0 && pinned) await coldOpens(farm, 'pinned');
  else if (coldRuns > 0) console.log(`\nCold opens, pinned: skipped (${os.cpus().length < 2 ? 'one CPU' : 'BENCH_PINNED=0'})`);
  console.log(`\nload average at the end ${os.loadavg().map((l) => l.toFixed(2)).join(' ')}`);
} finally {
  await farm?.stop();
  if (process.env.BENCH_KEEP) console.log(`logs kept in ${dir}`);
  else await rm(dir, { recursive: true, force: true });
}
