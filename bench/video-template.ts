/**
 * <Video> benchmark (prints figures; not a test).
 *
 *   npx tsx bench/video-template.ts [--runs 3]
 *
 * Renders `welcome-clip` (1280x720, 180 frames over 6 s of H.264 footage,
 * decoded by ffmpeg on the Node side) and `reference` (1280x720, 150 frames,
 * no footage) to MP4 on the same warm pool, and prints the fps of each, the
 * ratio, and what the per-process frame cache did: the first recipient's
 * render decodes the footage, every later one reads it from the cache.
 */
import { mkdir } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { createRenderEngine } from '../src/pipeline/index.js';
import { loadConfig } from '../src/config/index.js';

const { values } = parseArgs({ options: { runs: { type: 'string', default: '3' } } });
const runs = Number(values.runs);
const config = loadConfig();
const outDir = path.join(config.outDir, 'bench');
await mkdir(outDir, { recursive: true });
const engine = await createRenderEngine(config);
const mb = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(1)} MB`;
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const names = ['Dana', 'Kenji', 'Amara', 'Lucía', 'Oskar', 'Mei', 'Ravi', 'Zoé'];

console.log(`machine: ${os.cpus().length} cores, ${mb(os.totalmem())}; pool: ${engine.pool.size} browsers; node ${process.version}`);
await engine.pool.warm();
// Untimed: loads the reference bundle in every browser.
await engine.renderVideo({ templateId: 'reference', out: path.join(outDir, 'reference.mp4') });

const render = (templateId: string, run: number) =>
  engine.renderVideo({ templateId, props: { [templateId === 'reference' ? 'name' : 'firstName']: names[run % names.length] }, out: path.join(outDir, `${templateId}.mp4`) });

// The first recipient of welcome-clip: the browsers load its (already built) bundle, its footage is decoded.
await engine.registry.bundle('welcome-clip');
const first = await render('welcome-clip', 0);
const afterFirst = engine.footage.stats();
console.log(`  welcome-clip first recipient: ${first.frames} frames in ${first.wallMs} ms = ${first.fps.toFixed(1)} fps (footage decoded: ${afterFirst.framesDecoded} frames in ${afterFirst.decodeRuns} ffmpeg runs)`);

const fps: Record<string, number[]> = { reference: [], 'welcome-clip': [] };
for (let run = 1; run <= runs; run++) {
  for (const id of ['reference', 'welcome-clip']) {
    const result = await render(id, run);
    fps[id]!.push(result.fps);
    console.log(`  run ${run} ${id.padEnd(13)} ${result.frames} frames in ${result.wallMs} ms = ${result.fps.toFixed(1)} fps`);
  }
}
const stats = engine.footage.stats();
await engine.close();

const ref = median(fps.reference!);
const clip = median(fps['welcome-clip']!);
console.log(`
MP4 (libx264 ${config.encode.preset} crf ${config.encode.crf}), 1280x720, ${engine.pool.size} browsers, median of ${runs}
  reference      150 frames        ${ref.toFixed(1)} fps   (runs: ${fps.reference!.map((f) => f.toFixed(1)).join(', ')})
  welcome-clip   180 frames        ${clip.toFixed(1)} fps   (runs: ${fps['welcome-clip']!.map((f) => f.toFixed(1)).join(', ')}) = ${((clip / ref) * 100).toFixed(0)}% of reference
  first recipient (decodes)        ${first.fps.toFixed(1)} fps
  footage frames decoded           ${stats.framesDecoded} for ${runs + 1} recipients (${stats.decodeRuns} ffmpeg runs); cache ${stats.entries} frames, ${mb(stats.bytes)} of ${mb(stats.maxBytes)}, ${stats.hits} hits
`);
