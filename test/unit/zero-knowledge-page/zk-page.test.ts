import { describe, expect, it } from 'vitest';
import { encodeHeaderPart, sealZeroKnowledgeProps, type ZeroKnowledgeHeader } from '../../../src/zero-knowledge/index.js';
import {
  isZeroKnowledgeBeaconToken,
  openZeroKnowledgeBeaconToken,
  renderZeroKnowledgePage,
  withZeroKnowledgeBeacons,
  zeroKnowledgePageCsp,
  type ZeroKnowledgePageData,
} from '../../../src/zero-knowledge-page/index.js';

const HEADER: ZeroKnowledgeHeader = { templateId: 'year-recap', templateVersion: '415bc7dbd89914ee', channel: 'web', pseudonymousId: 'pid-0001-abcd', campaignId: 'recap-2026' };

describe('beacons of zero-knowledge pages', () => {
  it('name the pseudonymous id as the recipient, under a zk: campaign apart from the farm campaigns', () => {
    const token = encodeHeaderPart(HEADER);
    expect(isZeroKnowledgeBeaconToken(token)).toBe(true);
    expect(isZeroKnowledgeBeaconToken('v1.k1.abcdefghijklmnopqrstuvwxyz')).toBe(false);
    expect(openZeroKnowledgeBeaconToken(token)).toEqual({ templateId: 'year-recap', channel: 'web', recipientId: 'pid-0001-abcd', campaignId: 'zk:recap-2026' });
    const { campaignId: _none, ...withoutCampaign } = HEADER;
    expect(openZeroKnowledgeBeaconToken(encodeHeaderPart(withoutCampaign))).toEqual({ templateId: 'year-recap', channel: 'web', recipientId: 'pid-0001-abcd' });
  });

  it('are refused when the token is not exactly a clear header (the sealed part is not taken either)', async () => {
    const { envelope } = await sealZeroKnowledgeProps(HEADER, { firstName: 'Zuleika' });
    for (const bad of [envelope, 'zk1.', 'zk1.e30', `${encodeHeaderPart(HEADER)}x`]) {
      expect(() => openZeroKnowledgeBeaconToken(bad), bad.slice(0, 30)).toThrowError(expect.objectContaining({ code: 'ZK_LINK_INVALID' }));
    }
  });

  it('go to the zero-knowledge opener; every other token to the Live opener', async () => {
    const seen: string[] = [];
    const open = withZeroKnowledgeBeacons(async (token: string) => (seen.push(token), { templateId: 'reference', channel: 'email' }));
    await expect(open(encodeHeaderPart(HEADER))).resolves.toMatchObject({ recipientId: 'pid-0001-abcd' });
    await expect(open('v1.k1.sealed')).resolves.toEqual({ templateId: 'reference', channel: 'email' });
    expect(seen).toEqual(['v1.k1.sealed']);
  });
});

describe('the zero-knowledge page', () => {
  const data: ZeroKnowledgePageData = {
    templateId: 'year-recap',
    templateVersion: HEADER.templateVersion,
    player: 'player.js',
    variant: 'landscape',
    width: 1280,
    height: 720,
    fps: 30,
    durationInFrames: 240,
    downloadName: 'year-recap.mp4',
    eventsUrl: '/v1/events',
    beaconToken: encodeHeaderPart(HEADER),
  };
  const nonce = 'bm9uY2Vub25jZW5vbmNlbm9uY2U=';

  it('has a policy with no inline script without its nonce, fetches to itself only, and no third party', () => {
    const csp = zeroKnowledgePageCsp(nonce);
    const directives = Object.fromEntries(csp.split('; ').map((d) => [d.split(' ')[0], d.split(' ').slice(1).join(' ')]));
    expect(directives).toMatchObject({
      'default-src': "'none'",
      'script-src': `'nonce-${nonce}' 'self'`,
      'style-src': `'nonce-${nonce}'`,
      'connect-src': "'self'",
      'img-src': "'self' data: blob:",
      'frame-ancestors': "'none'",
      'base-uri': "'self'",
    });
    expect(csp).not.toMatch(/unsafe|https?:|\*/);
  });

  it('carries the nonce on its one inline script, the data as JSON, and escapes the title', () => {
    const html = renderZeroKnowledgePage({ title: 'Recap </script><b>', bundleBase: '/b/year-recap/415bc7dbd89914ee/', data, nonce }, 'console.log(1)');
    expect(html).toContain(`<script nonce="${nonce}">console.log(1)</script>`);
    expect(html.match(/<script(?! type="application\/json")/g)).toHaveLength(1);
    expect(html).toContain('<title>Recap &lt;/script&gt;&lt;b&gt;</title>');
    expect(html).toContain('<base href="/b/year-recap/415bc7dbd89914ee/">');
    expect(html).toContain('<link rel="modulepreload" href="player.js">');
    expect(html).toContain('<meta name="referrer" content="no-referrer">');
    const json = /<script type="application\/json" id="zk-data">(.*?)<\/script>/s.exec(html)![1]!;
    expect(JSON.parse(json)).toEqual(data);
  });
});
