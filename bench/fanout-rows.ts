/**
 * The CPU side of campaign fan-out alone (prints figures; not a test):
 *
 *   npx tsx bench/fanout-rows.ts [rows=100000] [reps=3]
 *
 * Reads a generated loyalty-tier CSV through scanChunks, the function both
 * passes of a campaign use: split records, parse and coerce each row,
 * validate its props against the template, compute its render key and props
 * hash, 500 rows a chunk. No Redis: what it prints is the CPU time of this
 * process per pass, which moves much less with a shared machine's load than
 * bench/fanout.ts's wall-clock ratio (compare runs made back to back).
 */
import { createReadStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { createDefaultRegistry } from '../src/pipeline/index.js';
import { loadConfig } from '../src/config/index.js';
import { createRenderJobPreparer } from '../src/renders/index.js';
import { createRowParser, type JsonSchemaNode } from '../src/campaigns/recipient-row.js';
import { scanChunks } from '../src/campaigns/scan-chunks.js';
import { TIERS, writeLoyaltyCsv } from './write-loyalty-csv.js';

const rows = Number(process.argv[2] ?? 100_000);
const reps = Number(process.argv[3] ?? 3);
const dir = await mkdtemp(path.join(os.tmpdir(), 'mastercut-bench-fanout-rows-'));
try {
  const csv = path.join(dir, 'recipients.csv');
  await writeLoyaltyCsv(csv, rows, (j) => `m${j},Member${j % 997},${TIERS[j % 3]},${TIERS[(j % 3) + 1]},${j},${(j * 7) % 100_000},${1990 + (j % 40)}`);
  const registry = createDefaultRegistry(loadConfig());
  await registry.bundle('loyalty-tier');
  const jsonSchema = registry.jsonSchema(registry.get('loyalty-tier')) as JsonSchemaNode;
  const preparer = await createRenderJobPreparer({ registry }, { templateId: 'loyalty-tier', variant: 'landscape', format: 'mp4', priorityClass: 'campaign', campaignId: 'bench' });
  console.log(`fan-out rows: ${rows} loyalty-tier rows, chunk 500, render key + props hash per row`);
  for (let rep = 1; rep <= reps; rep++) {
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    let valid = 0;
    const scan = scanChunks(createReadStream(csv), {
      format: 'csv',
      parseRow: createRowParser(jsonSchema, { fromText: true }),
      preparers: [preparer],
      lazy: false,
      hashProps: true,
      chunkSize: 500,
      maxRecordBytes: 65_536,
    });
    for await (const chunk of scan) valid += chunk.valid.length;
    const cpu = process.cpuUsage(c0);
    const cpuMs = (cpu.user + cpu.system) / 1000;
    console.log(
      `  pass ${rep}  ${valid} valid  CPU ${cpuMs.toFixed(0)} ms (${((1000 * cpuMs) / rows).toFixed(1)} µs/row)  wall ${(performance.now() - t0).toFixed(0)} ms  heapUsed ${(process.memoryUsage().heapUsed / 2 ** 20).toFixed(0)} MB`,
    );
  }
  console.log(`  load average ${os.loadavg().map((l) => l.toFixed(1)).join(' ')} on ${os.availableParallelism()} cores`);
} finally {
  await rm(dir, { recursive: true, force: true });
}
