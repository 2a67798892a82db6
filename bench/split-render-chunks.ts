/**
 * What a chunk pays that the whole render does not (prints figures; not a test).
 *
 *   taskset -c 1 npx tsx bench/split-render-chunks.ts [runs=1]
 *
 * One render engine with one browser (run it pinned to one core) renders
 * year-recap whole, then the two chunks of the cost cut its capture profile
 * gives (without a start cost: the cut the profile alone gives), one after
 * the other: on one core, their times are the work each chunk holds (the
 * split's balance, without the neighbours of a second core) and, for each
 * render, the time spent outside its frames (mount before the first, the
 * output after the last: a chunk's fixed cost s0, docs/capacity.md section 5).
 *
 * The start of a chunk after the first (planChunks' `chunkStartMs`): each
 * chunk's CPU time (its process tree's, as the profile counts it) against
 * what the whole render's profile gives its frames plus the whole render's
 * own time outside its profile. The first chunk's excess is what any render
 * pays; the second's, less the first's, is what a chunk that starts in the
 * middle of the composition pays on top (a seek to its first frame, that
 * frame drawn cold, an encoder that starts on it).
 */
import { costOfFrames, createRenderEngine, planChunks } from '../src/pipeline/index.js';
import { createTreeCpuClock } from '../src/render/index.js';
import { loadConfig } from '../src/config/index.js';
import { benchRegistry } from './split-render-templates.js';

const runs = Number(process.argv[2] ?? 1);
const config = loadConfig(process.env);
const engine = await createRenderEngine(config, { poolSize: 1, registry: await benchRegistry(config.cacheDir) });
const base = { templateId: 'year-recap', variant: 'landscape', props: { firstName: 'Chunks' } };
const FRAMES = 240;
/** CPU ms of this process and its descendants so far, the process tree read afresh (a browser's renderer may be new). */
const cpuNow = () => createTreeCpuClock()();
const sum = (costs: number[], from: number, to: number) => costs.slice(from, to).reduce((a, b) => a + b, 0);
const ms = (value: number) => `${value.toFixed(0)} ms`;
try {
  // Warm: browser launched and bundle loaded, as a render worker's are.
  await engine.renderVideo({ ...base, out: '/tmp/split-render-chunks-warm.mp4', frames: { start: 0, end: 1 }, chunk: true });
  const render = async (name: string, frames?: { start: number; end: number }) => {
    const started = performance.now();
    const cpuBefore = await cpuNow();
    const result = await engine.renderVideo({ ...base, out: `/tmp/split-render-chunks-${name.replace(/\W+/g, '-')}.mp4`, ...(frames ? { frames, chunk: true } : {}) });
    const cpu = (await cpuNow()) - cpuBefore;
    const wall = performance.now() - started;
    const inFrames = sum(costOfFrames(result.captureProfile), 0, result.frames);
    console.log(
      `  ${name}: ${(wall / 1000).toFixed(2)} s wall, ${(cpu / 1000).toFixed(2)} CPU s, its profile ${(inFrames / 1000).toFixed(2)} s, CPU outside the profile ${ms(cpu - inFrames)} (first frame ${result.timeToFirstFrameMs} ms)`,
    );
    return { result, wall, cpu, outside: cpu - inFrames };
  };
  console.log(`bench/split-render-chunks.ts: year-recap, ${FRAMES} frames, one engine, one browser, ${runs} run(s)`);
  const starts: number[] = [];
  for (let run = 0; run < runs; run++) {
    const whole = await render(`run ${run + 1} whole`);
    const costs = costOfFrames(whole.result.captureProfile);
    const [first, second] = planChunks({ start: 0, end: FRAMES }, { minFrames: 2, chunks: 2, chunkStartMs: 0 }, costs);
    // RenderRequest.frames is inclusive of its end frame.
    const a = await render(`run ${run + 1} chunk [${first!.start}, ${first!.end})`, { start: first!.start, end: first!.end - 1 });
    const b = await render(`run ${run + 1} chunk [${second!.start}, ${second!.end})`, { start: second!.start, end: second!.end - 1 });
    // What each chunk took beyond its frames' share of the whole render's CPU time.
    const excessA = a.cpu - (sum(costs, first!.start, first!.end) + whole.outside);
    const excessB = b.cpu - (sum(costs, second!.start, second!.end) + whole.outside);
    starts.push(excessB - excessA);
    console.log(
      `  run ${run + 1}: chunks together ${((a.cpu + b.cpu) / 1000).toFixed(2)} CPU s against whole ${(whole.cpu / 1000).toFixed(2)} CPU s; busier chunk / (whole / 2) = ${(Math.max(a.cpu, b.cpu) / (whole.cpu / 2)).toFixed(3)} (CPU); beyond the whole profile's share: first chunk ${ms(excessA)}, second ${ms(excessB)}: start of a chunk after the first ${ms(excessB - excessA)}`,
    );
  }
  const sorted = [...starts].sort((x, y) => x - y);
  console.log(`  start of a chunk after the first, CPU ms per run: ${starts.map((s) => s.toFixed(0)).join(', ')}; median ${ms(sorted[Math.floor((sorted.length - 1) / 2)]!)}`);
} finally {
  await engine.close();
}
