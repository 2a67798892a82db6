import { describe, expect, it } from 'vitest';
import { readAhead } from '../../../src/campaigns/read-ahead.js';

/** A source that logs when each item is produced and when it is closed. */
function source(count: number, log: string[], failAt = -1) {
  return (async function* () {
    try {
      for (let i = 0; i < count; i++) {
        await Promise.resolve();
        if (i === failAt) throw new Error(`bad item ${i}`);
        log.push(`made ${i}`);
        yield i;
      }
    } finally {
      log.push('closed');
    }
  })();
}

describe('readAhead', () => {
  it('keeps the order and makes the next item while the current one is worked on, never more than one ahead', async () => {
    const log: string[] = [];
    const seen: number[] = [];
    for await (const item of readAhead(source(4, log))) {
      await new Promise((resolve) => setTimeout(resolve, 5)); // the caller's Redis work
      log.push(`used ${item}`);
      seen.push(item);
    }
    expect(seen).toEqual([0, 1, 2, 3]);
    expect(log).toEqual(['made 0', 'made 1', 'used 0', 'made 2', 'used 1', 'made 3', 'used 2', 'closed', 'used 3']);
  });

  it('throws a failure of the item read ahead when that item is asked for, after the items before it', async () => {
    const log: string[] = [];
    const seen: number[] = [];
    await expect(
      (async () => {
        for await (const item of readAhead(source(5, log, 2))) {
          await new Promise((resolve) => setTimeout(resolve, 5));
          seen.push(item);
        }
      })(),
    ).rejects.toThrow('bad item 2');
    expect(seen).toEqual([0, 1]);
  });

  it('closes the source when the caller stops early', async () => {
    const log: string[] = [];
    for await (const item of readAhead(source(10, log))) if (item === 1) break;
    await expect.poll(() => log.at(-1)).toBe('closed');
    expect(log.filter((line) => line.startsWith('made')).length).toBeLessThanOrEqual(3);
  });
});
