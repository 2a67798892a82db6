import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { createDefaultRegistry as createRegistry } from '../../../src/pipeline/index.js';
import { createMinter, subjectHash, type MintRequest } from '../../../src/live/index.js';

const registry = createRegistry({ cacheDir: path.join(os.tmpdir(), 'mastercut-minter') });
const TTL = 30 * 86_400;
const query = { template: 'welcome-clip', channel: 'email', recipient: 'u-1', firstName: 'Ada', welcomePoints: '1', 'cta.label': 'Go' };

/** A link factory that counts its calls and answers like createLiveLinks (expiry rounded up to the hour). */
function fakeLinks() {
  const calls: MintRequest[] = [];
  return {
    calls,
    async createLinks(body: MintRequest) {
      calls.push(body);
      await new Promise((resolve) => setTimeout(resolve, 5));
      const exp = Math.ceil((Date.now() / 1000 + TTL) / 3600) * 3600;
      const url = `/l/token-${calls.length}`;
      return { links: [{ channel: 'email', url, assets: { video: `${url}/video.mp4`, poster: '', preview: '', still: '' }, expiresAt: new Date(exp * 1000).toISOString() }] };
    },
  };
}

describe('createMinter', () => {
  it('mints once for identical calls in flight and answers repeats from memory', async () => {
    const links = fakeLinks();
    const minter = createMinter({ registry, createLinks: links.createLinks }, { ttlSeconds: TTL });
    const answers = await Promise.all(Array.from({ length: 50 }, () => minter.mint('q', () => query)));
    expect(new Set(answers.map((a) => a.json)).size).toBe(1);
    expect(links.calls).toHaveLength(1);
    expect(links.calls[0]).toMatchObject({ templateId: 'welcome-clip', recipientId: 'u-1', props: { welcomePoints: 1 } });
    await minter.mint('q', () => query);
    expect(links.calls).toHaveLength(1);
    await minter.mint('other', () => ({ ...query, recipient: 'u-2' }));
    expect(links.calls).toHaveLength(2);
    expect(minter.size()).toBe(2);
  });

  it('forgets an erased subject, and remembers nothing while erasures cannot be heard', async () => {
    const links = fakeLinks();
    let live = true;
    const minter = createMinter({ registry, createLinks: links.createLinks, usable: () => live }, { ttlSeconds: TTL });
    await minter.mint('q', () => query);
    await minter.mint('q2', () => ({ ...query, recipient: 'u-2' }));
    minter.forget(subjectHash('u-1'));
    expect(minter.size()).toBe(1);
    await minter.mint('q', () => query);
    expect(links.calls).toHaveLength(3);
    live = false;
    await minter.mint('q3', () => ({ ...query, recipient: 'u-3' }));
    await minter.mint('q3', () => ({ ...query, recipient: 'u-3' }));
    expect(links.calls).toHaveLength(5);
  });

  it('keeps at most cacheSize answers, dropping the least recently used', async () => {
    const links = fakeLinks();
    const minter = createMinter({ registry, createLinks: links.createLinks }, { ttlSeconds: TTL, cacheSize: 2 });
    await minter.mint('a', () => query);
    await minter.mint('b', () => query);
    await minter.mint('a', () => query); // a is now the most recent
    await minter.mint('c', () => query); // drops b
    expect(links.calls).toHaveLength(3);
    await minter.mint('a', () => query);
    expect(links.calls).toHaveLength(3);
    await minter.mint('b', () => query);
    expect(links.calls).toHaveLength(4);
  });
});
