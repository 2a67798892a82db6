/**
 * Sticky links vs sealed-props links, cached hits (prints figures; not a test).
 *
 *   npx tsx bench/sticky-links.ts [seconds=5] [connections=50] [coldRuns=3]
 *
 * Starts a private farm (bench/live-farm.ts: redis-server, the API, a render
 * and a transcode worker, each its own process; every port free, METRICS_PORT=0),
 * PUTs a `loyalty-tier` profile, makes one sticky web link for it and one
 * sealed link carrying the very props the sticky link maps (so both name
 * the same render), renders it once, then loads, alternating in two rounds,
 * from a load generator in its own process (bench/live-load.ts):
 *
 * 1. `video.mp4` of each link (the cached asset path, the API's fast path
 *    included, as production serves it);
 * 2. the landing page of each link (Express every time: a sticky page reads
 *    the profile once per resolver memo and names its pinned asset URLs).
 *
 * Then cold opens, `coldRuns` times, alternating which goes first: a fresh
 * profile's sticky link against a sealed link with as fresh props (neither
 * rendered), its raw `video.mp4` (first and last byte), then, on two more
 * fresh links of each kind, the landing page in Chromium until it plays.
 *
 * Target (issue 18): sticky >= 80% of sealed for cached hits. On a 2-core
 * machine the load generator and the server share the CPU.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { chromium, type Browser } from 'playwright-core';
import { findChromium } from '../src/encode/index.js';
import { fetchColdVideo, openColdPage, waitUntilReady } from './live-cold.js';
import { BENCH_API_KEY, loadInChild, startBenchFarm, type BenchFarm } from './live-farm.js';
import type { LoadResult } from './live-load.js';

const seconds = Number(process.argv[2] ?? 5);
const connections = Number(process.argv[3] ?? 50);
const coldRuns = Number(process.argv[4] ?? 3);
const ROUNDS = 2;

const ms = (v: number) => (Number.isFinite(v) ? `${v.toFixed(v < 10 ? 2 : 0)} ms` : 'n/a');

function print(name: string, r: LoadResult & { serverCpuS: number }): void {
  console.log(
    `  ${name.padEnd(34)} ${r.rps.toFixed(0).padStart(6)} req/s  p50 ${ms(r.p50Ms).padStart(8)}  p99 ${ms(r.p99Ms).padStart(8)}  failures ${r.failures}  server CPU ${r.serverCpuS.toFixed(1)} s  client CPU ${r.clientCpuS.toFixed(1)} s`,
  );
}

const profile = (points: number) => ({ name: { first: 'Ada' }, loyalty: { tier: 'Silver', nextTier: 'Gold', points, pointsToNextTier: 2000 - points, memberSince: 2020 } });

async function putProfile(farm: BenchFarm, recipientId: string, points: number): Promise<void> {
  const put = await fetch(`${farm.api.url}/v1/recipients/${recipientId}`, {
    method: 'PUT',
    headers: { authorization: `Bearer ${BENCH_API_KEY}`, 'content-type': 'application/json' },
    body: JSON.stringify(profile(points)),
  });
  if (put.status !== 200) throw new Error(`PUT profile: ${put.status} ${await put.text()}`);
}

/** A link nobody opened, of each kind, with data no render has used (points unique to this call). */
let fresh = 0;
async function coldLink(farm: BenchFarm, kind: 'sticky' | 'sealed') {
  const points = 1 + (fresh++ % 1999);
  if (kind === 'sealed') {
    const p = profile(points);
    return farm.createLink('loyalty-tier', { firstName: p.name.first, currentTier: p.loyalty.tier, nextTier: p.loyalty.nextTier, points, pointsToNextTier: p.loyalty.pointsToNextTier, memberSince: p.loyalty.memberSince });
  }
  const recipientId = `bench-cold-${fresh}`;
  await putProfile(farm, recipientId, points);
  return farm.createLink('loyalty-tier', undefined, 'web', { recipientId });
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? Number.NaN;

async function coldOpens(farm: BenchFarm): Promise<void> {
  console.log(`\nCold opens, loyalty-tier web, ${coldRuns} runs alternating which goes first (each open on a link and data nobody rendered)`);
  const browser: Browser = await chromium.launch({
    executablePath: (await findChromium()).path,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
  });
  const figures = { sticky: { firstByte: [] as number[], playing: [] as number[] }, sealed: { firstByte: [] as number[], playing: [] as number[] } };
  try {
    for (let run = 1; run <= coldRuns; run++) {
      const order = run % 2 === 1 ? (['sticky', 'sealed'] as const) : (['sealed', 'sticky'] as const);
      for (const kind of order) {
        const link = await coldLink(farm, kind);
        const video = await fetchColdVideo(link.assets.video!);
        await waitUntilReady(link.url);
        const pageLink = await coldLink(farm, kind);
        const page = await openColdPage(browser, pageLink.url, { bundle: 'player.js' });
        await waitUntilReady(pageLink.url);
        console.log(`  run ${run}: ${kind.padEnd(6)} video ${video.status}${video.streamed ? ' streamed' : ''} first byte ${ms(video.firstByteMs)}, complete ${ms(video.completeMs)}; page playing ${ms(page.playableMs)}`);
        figures[kind].firstByte.push(video.firstByteMs);
        figures[kind].playing.push(page.playableMs);
      }
    }
  } finally {
    await browser.close();
  }
  for (const kind of ['sticky', 'sealed'] as const) {
    console.log(`  median ${kind.padEnd(6)} first video byte ${ms(median(figures[kind].firstByte))}, page playing ${ms(median(figures[kind].playing))}`);
  }
  console.log(`  sticky adds ${ms(median(figures.sticky.firstByte) - median(figures.sealed.firstByte))} to the first video byte and ${ms(median(figures.sticky.playing) - median(figures.sealed.playing))} to page playing (medians; negative: within noise)`);
}

async function main(): Promise<void> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'mastercut-bench-sticky-'));
  const farm = await startBenchFarm(dir);
  try {
    const api = farm.api.url;
    await putProfile(farm, 'bench-ada', 1200);
    const sticky = await farm.createLink('loyalty-tier', undefined, 'web', { recipientId: 'bench-ada' });
    const page = await fetch(sticky.url).then((r) => r.text());
    const props = (JSON.parse(/<script type="application\/json" id="mc-landing-data">([\s\S]*?)<\/script>/.exec(page)![1]!) as { props: Record<string, unknown> }).props;
    const sealed = await farm.createLink('loyalty-tier', props);

    // One render serves both (same props, same render key); wait until it is a stored file.
    let bytes = 0;
    for (const deadline = Date.now() + 300_000; ; ) {
      const res = await fetch(sticky.assets.video!);
      const body = Buffer.from(await res.arrayBuffer());
      if (res.status === 200 && !res.headers.get('x-mastercut-stream')) {
        bytes = body.length;
        break;
      }
      if (Date.now() > deadline) throw new Error(`video never stored (last ${res.status})`);
      await new Promise((r) => setTimeout(r, 500));
    }
    const sealedRes = await fetch(sealed.assets.video!);
    const sealedBytes = Buffer.from(await sealedRes.arrayBuffer()).length;
    if (sealedRes.status !== 200 || sealedBytes !== bytes) throw new Error('the sealed link does not serve the same file');
    console.log(`Cached hits, loyalty-tier web, ${connections} connections, ${seconds} s each (after a 1 s warm-up), ${ROUNDS} alternating rounds; one render (${bytes} bytes) serves both links`);

    const load = (url: string, expectBytes?: number) =>
      loadInChild({ url, connections, durationMs: seconds * 1000, warmupMs: 1000, ...(expectBytes ? { expectBytes } : {}) }, farm.api.proc.pid!);
    const runs = { video: { sticky: [] as number[], sealed: [] as number[] }, page: { sticky: [] as number[], sealed: [] as number[] } };
    for (let round = 1; round <= ROUNDS; round++) {
      // Alternate which goes first: the machine's other load drifts.
      const order = round % 2 === 1 ? (['sticky', 'sealed'] as const) : (['sealed', 'sticky'] as const);
      for (const kind of order) {
        const link = kind === 'sticky' ? sticky : sealed;
        const video = await load(link.assets.video!, bytes);
        print(`round ${round}: ${kind} video.mp4`, video);
        runs.video[kind].push(video.rps);
        const landing = await load(link.url);
        print(`round ${round}: ${kind} landing page`, landing);
        runs.page[kind].push(landing.rps);
      }
    }
    const mean = (values: number[]) => values.reduce((a, b) => a + b, 0) / values.length;
    for (const what of ['video', 'page'] as const) {
      const share = (mean(runs[what].sticky) / mean(runs[what].sealed)) * 100;
      console.log(
        `  ${what === 'video' ? 'video.mp4' : 'landing page'}: sticky ${mean(runs[what].sticky).toFixed(0)} req/s, sealed ${mean(runs[what].sealed).toFixed(0)} req/s, sticky/sealed ${share.toFixed(1)}% (target >= 80%: ${share >= 80 ? 'met' : 'NOT met'})`,
      );
    }
    await coldOpens(farm);
  } finally {
    await farm.stop();
    await rm(dir, { recursive: true, force: true });
  }
}

await main();
