/**
 * Sticky links vs sealed-props links, cached hits (prints figures; not a test).
 *
 *   npx tsx bench/sticky-links.ts [seconds=5] [connections=50]
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
 * Target (issue 18): sticky >= 80% of sealed for cached hits. On a 2-core
 * machine the load generator and the server share the CPU.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { BENCH_API_KEY, loadInChild, startBenchFarm } from './live-farm.js';
import type { LoadResult } from './live-load.js';

const seconds = Number(process.argv[2] ?? 5);
const connections = Number(process.argv[3] ?? 50);
const ROUNDS = 2;

const ms = (v: number) => (Number.isFinite(v) ? `${v.toFixed(v < 10 ? 2 : 0)} ms` : 'n/a');

function print(name: string, r: LoadResult & { serverCpuS: number }): void {
  console.log(
    `  ${name.padEnd(34)} ${r.rps.toFixed(0).padStart(6)} req/s  p50 ${ms(r.p50Ms).padStart(8)}  p99 ${ms(r.p99Ms).padStart(8)}  failures ${r.failures}  server CPU ${r.serverCpuS.toFixed(1)} s  client CPU ${r.clientCpuS.toFixed(1)} s`,
  );
}

async function main(): Promise<void> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'mastercut-bench-sticky-'));
  const farm = await startBenchFarm(dir);
  try {
    const api = farm.api.url;
    const put = await fetch(`${api}/v1/recipients/bench-ada`, {
      method: 'PUT',
      headers: { authorization: `Bearer ${BENCH_API_KEY}`, 'content-type': 'application/json' },
      body: JSON.stringify({ name: { first: 'Ada' }, loyalty: { tier: 'Silver', nextTier: 'Gold', points: 1200, pointsToNextTier: 800, memberSince: 2020 } }),
    });
    if (put.status !== 200) throw new Error(`PUT profile: ${put.status} ${await put.text()}`);
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
  } finally {
    await farm.stop();
    await rm(dir, { recursive: true, force: true });
  }
}

await main();
