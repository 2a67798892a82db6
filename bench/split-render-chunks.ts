/**
 * What a chunk pays that the whole render does not (prints figures; not a test).
 *
 *   taskset -c 1 npx tsx bench/split-render-chunks.ts
 *
 * One render engine with one browser (run it pinned to one core) renders
 * year-recap whole, then the two chunks of the cost cut its capture profile
 * gives, one after the other: on one core, their wall times are the work each
 * chunk holds (the split's balance, without the neighbours of a second core)
 * and, for each render, the time spent outside its frames (mount before the
 * first, the encoder's flush and the output after the last: a chunk's fixed
 * cost s0, docs/capacity.md section 5).
 */
import { loadConfig } from '../src/config/index.js';
import { costOfFrames, createRenderEngine, planChunks } from '../src/pipeline/index.js';
import { benchRegistry } from './split-render-templates.js';

const config = loadConfig(process.env);
const engine = await createRenderEngine(config, { poolSize: 1, registry: await benchRegistry(config.cacheDir) });
const base = { templateId: 'year-recap', variant: 'landscape', props: { firstName: 'Chunks' } };
const FRAMES = 240;
try {
  // Warm: browser launched and bundle loaded, as a render worker's are.
  await engine.renderVideo({ ...base, out: '/tmp/split-render-chunks-warm.mp4', frames: { start: 0, end: 1 }, chunk: true });
  const render = async (name: string, frames?: { start: number; end: number }) => {
    const started = performance.now();
    const result = await engine.renderVideo({ ...base, out: `/tmp/split-render-chunks-${name}.mp4`, ...(frames ? { frames, chunk: true } : {}) });
    const wall = performance.now() - started;
    const inFrames = costOfFrames(result.captureProfile).reduce((a, b) => a + b, 0);
    console.log(`  ${name}: ${(wall / 1000).toFixed(2)} s wall, its profile ${(inFrames / 1000).toFixed(2)} s, wall outside the profile ${(wall - inFrames).toFixed(0)} ms (first frame ${result.timeToFirstFrameMs} ms)`);
    return { result, wall };
  };
  console.log(`bench/split-render-chunks.ts: year-recap, ${FRAMES} frames, one engine, one browser`);
  const whole = await render('whole');
  const [first, second] = planChunks({ start: 0, end: FRAMES }, { minFrames: 2, chunks: 2 }, costOfFrames(whole.result.captureProfile));
  const a = await render(`chunk [${first!.start}, ${first!.end})`, { start: first!.start, end: first!.end - 1 });
  const b = await render(`chunk [${second!.start}, ${second!.end})`, { start: second!.start, end: second!.end - 1 });
  console.log(`  chunks together ${((a.wall + b.wall) / 1000).toFixed(2)} s against whole ${(whole.wall / 1000).toFixed(2)} s; busier chunk / (whole / 2) = ${(Math.max(a.wall, b.wall) / (whole.wall / 2)).toFixed(3)}`);
} finally {
  await engine.close();
}
