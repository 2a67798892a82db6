import { once } from 'node:events';
import { createWriteStream } from 'node:fs';
import { finished } from 'node:stream/promises';

export const LOYALTY_CSV_HEADER = 'recipientId,firstName,currentTier,nextTier,points,pointsToNextTier,memberSince';
export const TIERS = ['Silver', 'Gold', 'Platinum', 'Diamond'];

/**
 * Writes `rows` loyalty-tier recipients, `row(j)` making line j (without its
 * newline). Streamed in blocks of 1000 lines, so generating a large file
 * does not inflate the memory the benchmarks measure.
 */
export async function writeLoyaltyCsv(file: string, rows: number, row: (j: number) => string): Promise<void> {
  const out = createWriteStream(file);
  const write = (text: string) => (out.write(text) ? Promise.resolve() : once(out, 'drain'));
  await write(`${LOYALTY_CSV_HEADER}\n`);
  for (let i = 0; i < rows; i += 1000) {
    let chunk = '';
    for (let j = i; j < Math.min(rows, i + 1000); j++) chunk += `${row(j)}\n`;
    await write(chunk);
  }
  out.end();
  await finished(out);
}
