import { Readable } from 'node:stream';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { readAll, startCampaignHarness, type CampaignHarness } from './campaign-harness.js';
import { campaignKeys, manifestPartKey } from '../../../src/campaigns/index.js';

let h: CampaignHarness;

beforeAll(async () => {
  h = await startCampaignHarness({ chunkSize: 100 });
});
afterAll(async () => h?.close());
beforeEach(async () => h.useFreshQueue({ chunkSize: 100 }));

const HEADER = 'recipientId,firstName,currentTier,nextTier,points,pointsToNextTier,memberSince\n';
const rowsOf = (n: number, prefix: string) => Array.from({ length: n }, (_, i) => `${prefix}${i},Member,Silver,Gold,${i},${n - i},2015\n`).join('');

async function create(n: number, prefix: string) {
  return h.campaigns.create({ templateId: 'loyalty-tier', channels: ['web'], mode: 'prerender', recipients: Readable.from([Buffer.from(HEADER + rowsOf(n, prefix))]), format: 'csv' });
}

async function manifestLines(id: string): Promise<string[]> {
  return (await readAll(await h.campaigns.manifest(id, 'csv'))).trim().split('\n');
}

describe('campaign manifest parts (the rows in the object store, not in Redis)', () => {
  it('keeps no manifest row in Redis: one part per chunk in the store, named by the chunk commit, read back in file order', async () => {
    const status = await create(250, 'p');
    const keys = campaignKeys(status.id);
    expect(await h.redis.exists(keys.manifest)).toBe(0);
    const parts = await h.redis.lrange(keys.manifestParts, 0, -1);
    expect(parts).toHaveLength(3);
    parts.forEach((part, chunk) => expect(part).toMatch(new RegExp(`^campaigns/${status.id}/manifest/${String(chunk).padStart(8, '0')}-[0-9a-f]{8}\\.txt$`)));
    for (const part of parts) expect(await h.store.head(part)).toBeDefined();
    const lines = await manifestLines(status.id);
    expect(lines[0]).toBe('recipientId,web_renderKey,web_url');
    expect(lines.slice(1).map((line) => line.split(',')[0])).toEqual(Array.from({ length: 250 }, (_, i) => `p${i}`));
    for (const line of lines.slice(1)) {
      const [, key, url] = line.split(',');
      expect(key).toMatch(/^[0-9a-f]{64}$/);
      expect(url).toBe(`/v1/outputs/${key}`);
    }
  });

  it('reads only the parts a commit named: a part left by a superseded run of the same chunk is never read', async () => {
    const status = await create(120, 's');
    const before = await manifestLines(status.id);
    // What a stale runner of chunk 0 would leave: a part of its own, never named by the fenced commit.
    await h.store.put(manifestPartKey(status.id, 0, 'deadbeef'), Readable.from([Buffer.from('intruder abc\n')]), { contentType: 'text/plain' });
    expect(await manifestLines(status.id)).toEqual(before);
  });

  it('reads rows a campaign committed to the legacy Redis list first, then its parts', async () => {
    const status = await create(10, 'n');
    const key = 'a'.repeat(64);
    await h.redis.rpush(campaignKeys(status.id).manifest, `old0 ${key}`, `old1 ${key}`);
    const ids = (await manifestLines(status.id)).slice(1).map((line) => line.split(',')[0]);
    expect(ids).toEqual(['old0', 'old1', ...Array.from({ length: 10 }, (_, i) => `n${i}`)]);
  });

  it('fails the manifest instead of answering it short when a part is missing from the store', async () => {
    const status = await create(150, 'm');
    const [, second] = await h.redis.lrange(campaignKeys(status.id).manifestParts, 0, -1);
    await h.store.delete(second!);
    await expect(readAll(await h.campaigns.manifest(status.id, 'csv'))).rejects.toThrow(/manifest part .* is missing/);
  });
});
