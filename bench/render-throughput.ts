/**
 * Render throughput per template and variant (prints figures; not a test).
 *
 *   npx tsx bench/render-throughput.ts [--runs 2] [--templates loyalty-tier,year-recap]
 *
 * What one render worker does per job, minus the queue and the store: a warm
 * pool (RENDER_POOL_SIZE browsers, default one per core; one job uses all of
 * them), every template's bundle already loaded, then `renderVideo` to MP4
 * with the template's default props. Prints per template and variant the
 * median and the best wall time of a render and the renders per hour one
 * worker sustains (3600 s / median; in brackets 3600 s / best, the figure with
 * the least interference from other processes), with the load average seen
 * before and after: the figures are only worth what the neighbours left of the cores.
 * docs/capacity.md is built from this output.
 */
import { mkdir } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { createRenderEngine } from '../src/pipeline/index.js';
import { loadConfig } from '../src/config/index.js';

const { values } = parseArgs({ options: { runs: { type: 'string', default: '2' }, templates: { type: 'string' } } });
const runs = Number(values.runs);
if (!Number.isInteger(runs) || runs < 1) throw new Error('--runs must be an integer >= 1');
const config = loadConfig();
const outDir = path.join(config.outDir, 'bench');
await mkdir(outDir, { recursive: true });
const engine = await createRenderEngine(config);
const load = () => os.loadavg().map((l) => l.toFixed(2)).join(' ');
const loadBefore = load();

const wanted = values.templates?.split(',').map((t) => t.trim()).filter(Boolean);
const templates = engine.registry.list().filter((t) => !wanted || wanted.includes(t.id));
await engine.pool.warm();
await Promise.all(templates.map((t) => engine.registry.bundle(t.id)));

const rows: string[] = [];
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
for (const template of templates) {
  for (const [variant, size] of Object.entries(template.variants)) {
    const out = path.join(outDir, `throughput-${template.id}-${variant}.mp4`);
    // One untimed render loads this template in every browser of the pool (a warm worker).
    await engine.renderVideo({ templateId: template.id, variant, out });
    const walls: number[] = [];
    let frames = 0;
    let reused = 0;
    for (let run = 0; run < runs; run++) {
      const result = await engine.renderVideo({ templateId: template.id, variant, out });
      walls.push(result.wallMs);
      frames = result.frames;
      reused = result.framesReused;
    }
    const wall = median(walls);
    const best = Math.min(...walls);
    rows.push(
      `  ${template.id.padEnd(13)} ${variant.padEnd(10)} ${`${size.width}x${size.height}`.padEnd(10)} ${String(frames).padStart(4)} frames ` +
        `(${String(reused).padStart(3)} reused)  ${(wall / 1000).toFixed(2).padStart(6)} s  ${(frames / (wall / 1000)).toFixed(1).padStart(5)} fps  ` +
        `${Math.floor(3_600_000 / wall).toString().padStart(5)} renders/h (best ${Math.floor(3_600_000 / best)})   (runs: ${walls.map((w) => (w / 1000).toFixed(2)).join(', ')} s)`,
    );
    console.log(rows.at(-1));
  }
}
await engine.close();
console.log(`
render throughput, one worker: ${engine.pool.size} browsers on ${os.availableParallelism()} cores, MP4 libx264 ${config.encode.preset} crf ${config.encode.crf}, median of ${runs}
load average before: ${loadBefore}; after: ${load()}
${rows.join('\n')}
`);
