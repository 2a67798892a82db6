import { describe, expect, it } from 'vitest';
import { classifyClient } from '../../../src/engagement/classify-client.js';
import { nearestRank, ttfrHistogram } from '../../../src/engagement/nearest-rank.js';
import { serverEventId } from '../../../src/engagement/server-event-id.js';
import { EVENT_ID_PATTERN } from '../../../src/engagement/index.js';

const HUMANS = [
  'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36',
  'Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1',
  'Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:127.0) Gecko/20100101 Firefox/127.0',
  'Mozilla/5.0 (Windows NT 5.1; rv:11.0) Gecko Firefox/11.0 (via ggpht.com GoogleImageProxy)',
];
const BOTS: [string, RegExp][] = [
  ['Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)', /google/],
  ['Mozilla/5.0 (compatible; bingbot/2.0; +http://www.bing.com/bingbot.htm)', /bing/],
  ['Slackbot-LinkExpanding 1.0 (+https://api.slack.com/robots)', /slack/],
  ['facebookexternalhit/1.1 (+http://www.facebook.com/externalhit_uatext.php)', /facebook/],
  ['Mozilla/5.0 (compatible; Barracuda Sentinel (EE))', /barracuda/],
  ['Mimecast URL Protect', /mimecast/],
  ['Mozilla/5.0 Proofpoint URL Defense', /proofpoint/],
  ['Mozilla/4.0 (compatible; ms-office; MSOffice 16)', /microsoft/],
  ['Microsoft Office/16.0 (Windows NT 10.0; Microsoft Outlook 16.0.5095; Pro)', /microsoft/],
  ['python-requests/2.31.0', /http library/],
  ['curl/8.5.0', /http library/],
  ['Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) HeadlessChrome/126.0.0.0 Safari/537.36', /headless/],
];

describe('classifyClient', () => {
  it('lets ordinary browsers (and the Gmail image proxy, a real open) through', () => {
    for (const userAgent of HUMANS) expect(classifyClient({ userAgent, method: 'GET' })).toEqual({ bot: false });
  });
  it('flags crawlers, unfurlers, security scanners, HTTP libraries and headless browsers', () => {
    for (const [userAgent, reason] of BOTS) {
      const verdict = classifyClient({ userAgent, method: 'GET' });
      expect(verdict.bot, userAgent).toBe(true);
      expect(verdict.bot && verdict.reason, userAgent).toMatch(reason);
    }
  });
  it('flags HEAD requests and a missing user agent', () => {
    expect(classifyClient({ userAgent: HUMANS[0], method: 'HEAD' })).toEqual({ bot: true, reason: 'HEAD request' });
    expect(classifyClient({ method: 'GET' })).toEqual({ bot: true, reason: 'no user agent' });
    expect(classifyClient({ userAgent: '   ', method: 'GET' })).toMatchObject({ bot: true });
  });
});

describe('nearest rank and the TTFR histogram', () => {
  it('p50 and p90 are the ceil(p*n)-th smallest sample', () => {
    expect(nearestRank([], 50)).toBeNull();
    expect(nearestRank([5], 90)).toBe(5);
    const ten = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10];
    expect(nearestRank(ten, 50)).toBe(5);
    expect(nearestRank(ten, 90)).toBe(9);
    expect(nearestRank([1, 2, 3], 50)).toBe(2);
    expect(nearestRank([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11], 90)).toBe(10);
  });
  it('buckets by inclusive upper bound, the last one unbounded', () => {
    const h = ttfrHistogram([0, 60_000, 60_001, 300_000, 259_200_001, 1e12]);
    expect(h.map((b) => b.upToMs)).toEqual([60_000, 300_000, 900_000, 3_600_000, 21_600_000, 86_400_000, 259_200_000, null]);
    expect(h.map((b) => b.count)).toEqual([2, 2, 0, 0, 0, 0, 0, 2]);
  });
});

describe('serverEventId', () => {
  it('is deterministic, a valid event id, and differs with any part', () => {
    const a = serverEventId(['delivered', 'cmp', 'r1', 'email', 'h']);
    expect(a).toMatch(EVENT_ID_PATTERN);
    expect(serverEventId(['delivered', 'cmp', 'r1', 'email', 'h'])).toBe(a);
    expect(serverEventId(['delivered', 'cmp', 'r1', 'web', 'h'])).not.toBe(a);
    // Parts are separated: moving a character between parts is another id.
    expect(serverEventId(['ab', 'c'])).not.toBe(serverEventId(['a', 'bc']));
  });
});
