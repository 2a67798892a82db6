import { describe, expect, it } from 'vitest';
import yearRecap from '../../../compositions/year-recap/index.js';
import referenceTemplate from '../../../compositions/reference/index.js';
import { isAppError } from '../../../src/errors/index.js';
import {
  encodeHeaderPart,
  mintZeroKnowledgeLink,
  openZeroKnowledgeProps,
  parseEnvelope,
  sealZeroKnowledgeProps,
  ZK_ENVELOPE_MAX_LENGTH,
  type ZeroKnowledgeHeader,
} from '../../../src/zero-knowledge/index.js';

const VERSION = '415bc7dbd89914ee';
const PROPS = { firstName: 'Zuleika', memberTier: 'Gold', topDestination: 'Quixotic Harbour', cta: { label: 'Wander onward' } };
const HEADER: ZeroKnowledgeHeader = { templateId: 'year-recap', templateVersion: VERSION, channel: 'web', pseudonymousId: 'pid-0001-abcd', campaignId: 'recap-2026' };

const mint = (overrides: Partial<Parameters<typeof mintZeroKnowledgeLink>[0]> = {}) =>
  mintZeroKnowledgeLink({ baseUrl: 'https://farm.example.com', template: { ...yearRecap, version: VERSION }, channel: 'web', props: PROPS, campaignId: 'recap-2026', ...overrides });

const parts = (url: string) => {
  const u = new URL(url);
  return { path: u.pathname, envelope: u.pathname.slice('/z/'.length), key: u.hash.slice('#k='.length) };
};

/** The AppError code a promise rejects with. */
async function codeOf(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (error) {
    if (isAppError(error)) return error.code;
    throw error;
  }
  throw new Error('expected a rejection');
}

/** The envelope with one base64url character of its sealed part changed (not the last, whose low bits may be padding). */
function flipSealed(envelope: string, at: number): string {
  const i = envelope.lastIndexOf('.') + 1 + at;
  return `${envelope.slice(0, i)}${envelope[i] === 'A' ? 'B' : 'A'}${envelope.slice(i + 1)}`;
}

describe('minting a zero-knowledge link', () => {
  it('puts the sealed props in the path and the key only in the fragment; nothing readable is in the path', async () => {
    const link = await mint({ pseudonymousId: 'pid-0001-abcd' });
    const { path, envelope, key } = parts(link.url);
    expect(link.url.startsWith('https://farm.example.com/z/zk1.')).toBe(true);
    expect(key).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(path).not.toContain(key);
    for (const value of ['Zuleika', 'Quixotic', 'Wander', 'Gold']) {
      expect(link.url).not.toContain(value);
      expect(decodeURIComponent(path)).not.toContain(value);
    }
    // The clear header names template, version, channel, the pseudonymous id and the campaign: nothing personal.
    expect(parseEnvelope(envelope).header).toEqual(HEADER);
    expect(link).toMatchObject({ pseudonymousId: 'pid-0001-abcd', templateId: 'year-recap', templateVersion: VERSION, channel: 'web', campaignId: 'recap-2026' });
  });

  it('opens with its key to the validated props (defaults applied, schema transforms done)', async () => {
    const link = await mint({ props: { ...PROPS, firstName: '  Zuleika  ' } });
    const { envelope, key } = parts(link.url);
    const opened = await openZeroKnowledgeProps(envelope, key, { templateId: 'year-recap', templateVersion: VERSION });
    expect(opened.props).toEqual({ ...yearRecap.defaultProps, ...PROPS });
    expect(opened.header.pseudonymousId).toBe(link.pseudonymousId);
  });

  it('uses a fresh key, iv and pseudonymous id for every link', async () => {
    const [a, b] = await Promise.all([mint(), mint()]);
    expect(parts(a.url).key).not.toBe(parts(b.url).key);
    expect(parts(a.url).envelope).not.toBe(parts(b.url).envelope);
    expect(a.pseudonymousId).not.toBe(b.pseudonymousId);
    expect(a.pseudonymousId).toMatch(/^[A-Za-z0-9_-]{22}$/);
  });

  it('refuses invalid props naming the fields, never the values', async () => {
    let message = '';
    try {
      await mint({ props: { ...PROPS, nightsStayed: -5, memberTier: 'Zuleika-tier' } });
    } catch (error) {
      expect(isAppError(error, 'INVALID_PROPS')).toBe(true);
      message = (error as Error).message;
      expect((error as { details: { issues: { path: string }[] } }).details.issues.map((i) => i.path).sort()).toEqual(['memberTier', 'nightsStayed']);
    }
    expect(message).toMatch(/nightsStayed/);
    expect(message).not.toContain('Zuleika');
    expect(await codeOf(mint({ props: ['not', 'an', 'object'] }))).toBe('INVALID_PROPS');
  });

  it('refuses remote URLs in props: the page makes no third-party request', async () => {
    await expect(mint({ props: { ...PROPS, heroImageUrl: 'https://images.example.com/lisbon.jpg' } })).rejects.toMatchObject({
      code: 'INVALID_PROPS',
      details: { issues: [{ path: 'heroImageUrl', message: expect.stringMatching(/nothing from other hosts/) }] },
    });
  });

  it('refuses a base URL browsers would not decrypt on, and clear fields that could hold personal data', async () => {
    expect(await codeOf(mint({ baseUrl: 'http://farm.example.com' }))).toBe('INVALID_ARGUMENT');
    expect(await codeOf(mint({ baseUrl: 'https://farm.example.com/?x=1' }))).toBe('INVALID_ARGUMENT');
    expect(await codeOf(mint({ baseUrl: 'not a url' }))).toBe('INVALID_ARGUMENT');
    expect(parts((await mint({ baseUrl: 'http://127.0.0.1:8080/' })).url).path.startsWith('/z/zk1.')).toBe(true);
    expect((await mint({ baseUrl: 'https://farm.example.com/video/' })).url.startsWith('https://farm.example.com/video/z/zk1.')).toBe(true);
    expect(await codeOf(mint({ pseudonymousId: 'zuleika@example.com' }))).toBe('ZK_LINK_INVALID');
    expect(await codeOf(mint({ pseudonymousId: 'Zuleika Smith' }))).toBe('ZK_LINK_INVALID');
    expect(await codeOf(mint({ campaignId: 'a b' }))).toBe('ZK_LINK_INVALID');
    expect(await codeOf(mint({ channel: 'Web Site' }))).toBe('ZK_LINK_INVALID');
  });

  it('refuses props too large for a link', async () => {
    const big = await sealZeroKnowledgeProps(HEADER, { note: 'x'.repeat(4000) });
    expect(big.envelope.length).toBeLessThanOrEqual(ZK_ENVELOPE_MAX_LENGTH);
    expect(await codeOf(sealZeroKnowledgeProps(HEADER, { note: 'x'.repeat(5000) }))).toBe('PAYLOAD_TOO_LARGE');
  });
});

describe('opening a zero-knowledge envelope', () => {
  it('refuses a changed ciphertext or tag, whichever byte', async () => {
    const { envelope, key } = await sealZeroKnowledgeProps(HEADER, PROPS);
    const sealedLength = envelope.length - envelope.lastIndexOf('.') - 1;
    for (const at of [0, 17, Math.floor(sealedLength / 2), sealedLength - 3]) {
      expect(await codeOf(openZeroKnowledgeProps(flipSealed(envelope, at), key))).toBe('ZK_OPEN_FAILED');
    }
  });

  it('refuses a header changed or swapped onto another ciphertext (it is the authenticated data)', async () => {
    const { envelope, key } = await sealZeroKnowledgeProps(HEADER, PROPS);
    const sealed = envelope.slice(envelope.lastIndexOf('.'));
    for (const changed of [{ channel: 'email' }, { pseudonymousId: 'pid-9999-zzzz' }, { campaignId: 'other' }, { templateVersion: 'ffffffffffffffff' }]) {
      const moved = `${encodeHeaderPart({ ...HEADER, ...changed })}${sealed}`;
      expect(await codeOf(openZeroKnowledgeProps(moved, key)), JSON.stringify(changed)).toBe('ZK_OPEN_FAILED');
    }
  });

  it('refuses a wrong, missing or short key', async () => {
    const { envelope, key } = await sealZeroKnowledgeProps(HEADER, PROPS);
    const other = await sealZeroKnowledgeProps(HEADER, PROPS);
    expect(await codeOf(openZeroKnowledgeProps(envelope, other.key))).toBe('ZK_OPEN_FAILED');
    expect(await codeOf(openZeroKnowledgeProps(envelope, ''))).toBe('ZK_OPEN_FAILED');
    expect(await codeOf(openZeroKnowledgeProps(envelope, key.slice(0, 20)))).toBe('ZK_OPEN_FAILED');
    expect(await codeOf(openZeroKnowledgeProps(envelope, `${key}=`))).toBe('ZK_OPEN_FAILED');
    expect((await openZeroKnowledgeProps(envelope, key)).props).toEqual(PROPS);
  });

  it('refuses a link made for another template or version, even with the right key', async () => {
    const { envelope, key } = await sealZeroKnowledgeProps(HEADER, PROPS);
    expect(await codeOf(openZeroKnowledgeProps(envelope, key, { templateId: referenceTemplate.id }))).toBe('ZK_LINK_INVALID');
    expect(await codeOf(openZeroKnowledgeProps(envelope, key, { templateVersion: 'ffffffffffffffff' }))).toBe('ZK_LINK_INVALID');
    // Renamed in the clear header: the tag no longer matches.
    const renamed = `${encodeHeaderPart({ ...HEADER, templateId: 'reference' })}${envelope.slice(envelope.lastIndexOf('.'))}`;
    expect(await codeOf(openZeroKnowledgeProps(renamed, key, { templateId: 'reference' }))).toBe('ZK_OPEN_FAILED');
  });

  it('refuses malformed envelopes before any decryption', () => {
    const good = encodeHeaderPart(HEADER);
    const sealed = 'A'.repeat(64);
    for (const bad of [
      '',
      'zk1',
      `zk2${good.slice(3)}.${sealed}`,
      `${good}.${sealed}.extra`,
      `${good}.short`,
      `${good}.${sealed}*`,
      `zk1.${btoa('{"t":"year-recap"}').replace(/=+$/, '')}.${sealed}`,
      `zk1.${btoa('[1,2]').replace(/=+$/, '')}.${sealed}`,
      `${encodeHeaderPart(HEADER).slice(0, -2)}.${sealed}`,
      `${good}.${'A'.repeat(ZK_ENVELOPE_MAX_LENGTH)}`,
    ]) {
      expect(() => parseEnvelope(bad), bad.slice(0, 40)).toThrowError(expect.objectContaining({ code: 'ZK_LINK_INVALID' }));
    }
    expect(parseEnvelope(`${good}.${sealed}`).header).toEqual(HEADER);
  });
});
