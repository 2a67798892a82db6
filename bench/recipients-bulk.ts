/**
 * Bulk profile upsert (issue 18 item 1): streams a 100k-row CSV and the same
 * rows as JSON Lines through bulkUpsertProfiles into a fresh embedded Redis
 * (free port), then re-uploads the CSV (every row unchanged: no version
 * moves). Prints rows/s and Redis memory per profile.
 *
 *   npx tsx bench/recipients-bulk.ts [rows]
 */
import { Readable } from 'node:stream';
import { Redis } from 'ioredis';
import { startEmbeddedRedis } from '../src/cli/embedded-redis.js';
import { bulkUpsertProfiles, createProfileStore } from '../src/recipients/index.js';

const rows = Number(process.argv[2] ?? 100_000);
const tiers = ['Bronze', 'Silver', 'Gold', 'Platinum'];
const csv = ['recipientId,name.first,name.last,loyalty.tier,loyalty.points,email'];
const jsonl: string[] = [];
for (let i = 0; i < rows; i++) {
  csv.push(`r-${i},First${i},Last${i},${tiers[i % 4]},${i * 7},user${i}@example.com`);
  jsonl.push(JSON.stringify({ recipientId: `j-${i}`, name: { first: `First${i}`, last: `Last${i}` }, loyalty: { tier: tiers[i % 4], points: i * 7 }, email: `user${i}@example.com` }));
}
const csvBody = Buffer.from(csv.join('\n'));
const jsonlBody = Buffer.from(jsonl.join('\n'));
// 64 KiB chunks, as a socket would deliver them.
const stream = (body: Buffer) => Readable.from((function* () { for (let i = 0; i < body.length; i += 65_536) yield body.subarray(i, i + 65_536); })());

const server = await startEmbeddedRedis();
const redis = new Redis(server.url, { maxRetriesPerRequest: null });
try {
  const store = createProfileStore(redis, { maxBytes: 16 * 1024 });
  const run = async (label: string, body: Buffer, format: 'csv' | 'jsonl') => {
    const t0 = performance.now();
    const report = await bulkUpsertProfiles(store, stream(body), { format });
    const s = (performance.now() - t0) / 1000;
    console.log(`${label.padEnd(22)} rows=${report.total} valid=${report.valid} invalid=${report.invalid} ${s.toFixed(2)} s  ${Math.round(report.total / s)} rows/s  (${(body.length / 1e6).toFixed(1)} MB)`);
  };
  const before = Number(/used_memory:(\d+)/.exec(await redis.info('memory'))![1]);
  await run('csv (new profiles)', csvBody, 'csv');
  await run('jsonl (new profiles)', jsonlBody, 'jsonl');
  await run('csv (unchanged)', csvBody, 'csv');
  const after = Number(/used_memory:(\d+)/.exec(await redis.info('memory'))![1]);
  const sample = await store.get('r-1');
  console.log(`profiles=${await redis.dbsize()} redis bytes/profile=${Math.round((after - before) / (2 * rows))} r-1 version after re-upload=${sample?.version}`);
} finally {
  redis.disconnect();
  await server.destroy();
}
