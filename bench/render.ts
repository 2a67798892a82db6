/**
 * Render benchmark (prints figures; not a test).
 *
 *   npx tsx bench/render.ts [--runs 3]
 *
 * 1. `reference` (1280x720, 150 frames) to MP4 on a warm pool: fps, time to
 *    first frame, peak memory per browser.
 * 2. The same composition through a plain baseline in the same run: one tab
 *    of ordinary headless Chromium looping over Page.captureScreenshot, into
 *    the same ffmpeg settings.
 * 3. `year-recap`: cost per frame of the final hold against animated frames.
 */
import { mkdir } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { createRenderEngine } from '../src/pipeline/index.js';
import { loadConfig } from '../src/config/index.js';
import { captureFrames } from '../src/render/index.js';
import { runScreenshotBaseline } from './screenshot-baseline.js';

const { values } = parseArgs({ options: { runs: { type: 'string', default: '3' } } });
const runs = Number(values.runs);
const config = loadConfig();
const outDir = path.join(config.outDir, 'bench');
await mkdir(outDir, { recursive: true });
const engine = await createRenderEngine(config);
const mb = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(0)} MB`;

console.log(`machine: ${os.cpus().length} cores, ${mb(os.totalmem())}; pool: ${engine.pool.size} browsers; node ${process.version}`);
await engine.pool.warm();
// One untimed render loads the bundle in every browser (what "warm" means in production).
await engine.renderVideo({ templateId: 'reference', out: path.join(outDir, 'reference.mp4') });

const fpsRuns: number[] = [];
const firstFrames: number[] = [];
const peakByBrowser = new Map<number, number>();
for (let run = 0; run < runs; run++) {
  // Sampling reads /proc: keep it sparse so it does not steal the CPU it measures.
  let sampling = false;
  const sampler = setInterval(async () => {
    if (sampling) return;
    sampling = true;
    const pids = engine.pool.pids();
    const values = await engine.pool.memoryByBrowser();
    values.forEach((value, i) => peakByBrowser.set(pids[i] ?? i, Math.max(peakByBrowser.get(pids[i] ?? i) ?? 0, value)));
    sampling = false;
  }, 500);
  const started = Date.now();
  let firstFrameAt = 0;
  const result = await engine.renderVideo({
    templateId: 'reference',
    out: path.join(outDir, 'reference.mp4'),
    onProgress: () => (firstFrameAt ||= Date.now()),
  });
  clearInterval(sampler);
  fpsRuns.push(result.fps);
  firstFrames.push(firstFrameAt - started);
  console.log(
    `  run ${run + 1}: ${result.frames} frames in ${result.wallMs} ms = ${result.fps.toFixed(1)} fps; first frame ${firstFrameAt - started} ms (capture start to frame: ${result.timeToFirstFrameMs} ms)`,
  );
}
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const peaks = [...peakByBrowser.values()];

const baseline = await runScreenshotBaseline({ engine, config, out: path.join(outDir, 'reference-baseline.mp4') });

// Hold cost: capture only (no encoder), one browser, animated part then hold.
const recap = engine.registry.get('year-recap');
const bundle = await engine.registry.bundle('year-recap');
const props = engine.registry.validateProps(recap, {});
const timeRange = async (firstFrame: number, lastFrame: number) => {
  const started = process.hrtime.bigint();
  const result = await captureFrames({
    pool: engine.pool, bundle, variant: 'landscape', width: 1280, height: 720, props, firstFrame, lastFrame,
    format: 'jpeg', quality: config.render.jpegQuality, concurrency: 1, chunkSize: 1000,
    delayRenderTimeoutMs: config.render.delayRenderTimeoutMs, frameTimeoutMs: config.render.frameTimeoutMs,
    onFrame: async () => undefined,
  });
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  return { perFrame: ms / (lastFrame - firstFrame + 1), reused: result.framesReused };
};
await timeRange(0, 10); // load the bundle
const animated = await timeRange(60, 179);
const hold = await timeRange(179, 239); // frame 179 is captured, 180-239 are the hold
const recapRender = await engine.renderVideo({ templateId: 'year-recap', out: path.join(outDir, 'year-recap.mp4') });
await engine.close();

const ratio = median(fpsRuns) / baseline.fps;
console.log(`
reference 1280x720, 150 frames, MP4 (libx264 ${config.encode.preset} crf ${config.encode.crf}), ${engine.pool.size} browsers
  fps (median of ${runs})            ${median(fpsRuns).toFixed(1)}   (runs: ${fpsRuns.map((f) => f.toFixed(1)).join(', ')}; target >= 21)
  first frame, warm pool       ${median(firstFrames)} ms   (runs: ${firstFrames.join(', ')} ms; target < 150)
  peak memory per browser      ${peaks.map(mb).join(', ')} (PSS of the process tree)
  baseline (1 tab, captureScreenshot loop, same ffmpeg)  ${baseline.fps.toFixed(1)} fps
  speed-up over baseline       ${ratio.toFixed(2)}x   (target >= 2.3x)
year-recap 1280x720, capture only, 1 browser
  animated frames (60-179)     ${animated.perFrame.toFixed(1)} ms/frame
  hold frames (179-239)        ${hold.perFrame.toFixed(1)} ms/frame (${hold.reused} of 61 reused)
  hold cost                    ${((hold.perFrame / animated.perFrame) * 100).toFixed(1)}% of an animated frame (target < 20%)
  full render with encode      ${recapRender.frames} frames, ${recapRender.fps.toFixed(1)} fps, ${recapRender.framesReused} reused
`);
