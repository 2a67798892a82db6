import { mkdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadConfig } from '../../config/index.js';
import type { RenderResult } from '../../pipeline/index.js';
import { createProgressBar, formatBytes } from '../progress-bar.js';
import { createRenderEngine } from '../../pipeline/index.js';

interface SampleCustomer {
  recipientId: string;
  yearRecap: Record<string, unknown>;
  loyaltyTier: Record<string, unknown>;
}

const examplesDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../examples');

/**
 * `mastercut demo --local`: renders the sample templates for a few sample
 * customers in this process (no Redis, no API) into ./out/demo/, one folder
 * per customer, and prints a summary.
 */
export async function runLocalDemo(): Promise<number> {
  const config = loadConfig();
  const customers = JSON.parse(await readFile(path.join(examplesDir, 'customers.json'), 'utf8')) as SampleCustomer[];
  const engine = await createRenderEngine(config);
  const results: RenderResult[] = [];
  try {
    process.stderr.write(`warming ${engine.pool.size} browser(s)...\n`);
    await engine.pool.warm();
    for (const customer of customers) {
      const dir = path.join(config.outDir, 'demo', customer.recipientId);
      await mkdir(dir, { recursive: true });
      const jobs = [
        { templateId: 'year-recap', variant: 'landscape', props: customer.yearRecap, out: path.join(dir, 'year-recap-landscape.mp4') },
        { templateId: 'year-recap', variant: 'portrait', props: customer.yearRecap, out: path.join(dir, 'year-recap-portrait.mp4') },
        { templateId: 'loyalty-tier', variant: 'square', props: customer.loyaltyTier, out: path.join(dir, 'loyalty-tier-square.mp4') },
        { templateId: 'year-recap', variant: 'landscape', props: customer.yearRecap, out: path.join(dir, 'poster.jpg') },
      ];
      for (const job of jobs) {
        const label = `${customer.recipientId} ${job.templateId}/${job.variant} ${path.extname(job.out).slice(1)}`;
        const bar = createProgressBar(label.padEnd(44));
        results.push(await engine.renderVideo({ ...job, onProgress: (p) => bar.update(p) }));
        bar.done();
      }
    }
  } finally {
    await engine.close();
  }
  printSummary(results);
  return 0;
}

function printSummary(results: RenderResult[]): void {
  const out = process.stdout;
  out.write('\nrendered:\n');
  for (const r of results) {
    out.write(
      `  ${path.relative(process.cwd(), r.outPath).padEnd(48)} ${String(r.frames).padStart(4)} frames  ` +
        `${r.fps.toFixed(1).padStart(5)} fps  ${formatBytes(r.bytes).padStart(9)}  (${r.framesReused} reused)\n`,
    );
  }
  const frames = results.reduce((sum, r) => sum + r.frames, 0);
  const wall = results.reduce((sum, r) => sum + r.wallMs, 0);
  out.write(`\n${results.length} outputs, ${frames} frames in ${(wall / 1000).toFixed(1)} s (${((frames * 1000) / wall).toFixed(1)} fps overall)\n`);
}
