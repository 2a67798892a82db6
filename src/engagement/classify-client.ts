import { BlockList, isIP } from 'node:net';
import { DEFAULT_SCANNER_CIDRS, describeBadCidr } from '../config/index.js';

/** What is known about the HTTP client behind an event. */
export interface ClientInfo {
  userAgent?: string | undefined;
  /** The request method: a HEAD never comes from a person looking at something. */
  method?: string | undefined;
  /** The client's address (the request's, or one an API-key caller passes along). Never stored. */
  ip?: string | undefined;
}

/**
 * A person (`{bot: false}`), a bot or link scanner, or a privacy proxy
 * (`machine`): a fetch made for a real mailbox without a person looking,
 * such as Apple Mail Privacy Protection loading every image at delivery.
 */
export type ClientVerdict = { bot: false; machine?: undefined } | { bot: true; reason: string } | { bot: false; machine: string };

/** Address ranges that mark a client, built once from config (see createClientRanges). */
export interface ClientRanges {
  scanners: BlockList;
  proxies: BlockList;
}

/**
 * User agents of crawlers, link unfurlers, email security scanners and HTTP
 * libraries. Security gateways (Mimecast, Proofpoint, Barracuda, Microsoft
 * Safe Links) fetch every link and image of an email at delivery, which
 * would otherwise count as opens and clicks by every recipient.
 */
const BOT_AGENTS: readonly [RegExp, string][] = [
  [/googlebot|google-?inspectiontool|adsbot-google|mediapartners-google/i, 'google crawler'],
  [/bingbot|bingpreview|msnbot/i, 'bing crawler'],
  [/slackbot|slack-imgproxy/i, 'slack unfurler'],
  [/facebookexternalhit|facebot|meta-externalagent/i, 'facebook unfurler'],
  [/twitterbot|linkedinbot|discordbot|telegrambot|whatsapp|skypeuripreview|pinterest|redditbot|applebot|yandex|baiduspider|duckduckbot/i, 'unfurler or crawler'],
  [/barracuda/i, 'barracuda scanner'],
  [/mimecast/i, 'mimecast scanner'],
  [/proofpoint|ppops/i, 'proofpoint scanner'],
  [/safelinks|microsoft office|ms-office|microsoftpreview|outlook-ios-linkpreview/i, 'microsoft safe links'],
  [/symantec|forcepoint|trendmicro|sophos|fortiguard|zscaler|cisco|ironport|checkpoint|paloalto/i, 'security gateway'],
  [/python-requests|python-urllib|aiohttp|httpx|go-http-client|java\/|okhttp|libwww-perl|wget|curl\/|node-fetch|undici|axios|postmanruntime|scrapy|httpclient/i, 'http library'],
  [/headlesschrome|phantomjs|puppeteer|playwright|selenium|electron\/.*headless/i, 'headless browser'],
  [/\b(bot|crawler|spider|scanner|preview|fetcher)\b|bot\//i, 'generic bot'],
];

/**
 * Privacy proxies that load a message's images for the mailbox, not for a
 * person. Apple Mail Privacy Protection sends the bare `Mozilla/5.0` (no
 * platform, no engine); Yahoo's proxy names itself. Gmail's GoogleImageProxy
 * fetches when the message is opened, so it stays a person's open.
 */
const PROXY_AGENTS: readonly [RegExp, string][] = [
  [/^Mozilla\/5\.0$/, 'apple mail privacy protection'],
  [/yahoomailproxy/i, 'yahoo mail proxy'],
];

/** Builds the address ranges once; throws on a malformed CIDR (config validation says which). */
export function createClientRanges(options: { scannerCidrs?: readonly string[]; proxyCidrs?: readonly string[] } = {}): ClientRanges {
  return { scanners: blockList(options.scannerCidrs ?? DEFAULT_SCANNER_CIDRS), proxies: blockList(options.proxyCidrs ?? []) };
}

function blockList(cidrs: readonly string[]): BlockList {
  const list = new BlockList();
  for (const cidr of cidrs) {
    const why = describeBadCidr(cidr);
    if (why) throw new Error(`bad CIDR "${cidr}": ${why}`);
    const [address, bits] = cidr.split('/') as [string, string];
    list.addSubnet(address, Number(bits), isIP(address) === 4 ? 'ipv4' : 'ipv6');
  }
  return list;
}

function inRange(list: BlockList, ip: string | undefined): boolean {
  if (!ip) return false;
  // An IPv4 client seen through an IPv6 socket arrives as ::ffff:a.b.c.d.
  const plain = ip.startsWith('::ffff:') && isIP(ip.slice(7)) === 4 ? ip.slice(7) : ip;
  const family = isIP(plain);
  return family !== 0 && list.check(plain, family === 4 ? 'ipv4' : 'ipv6');
}

/**
 * Flags a client as a bot or link scanner from what one request shows: a
 * HEAD request, no user agent at all, a known crawler, unfurler, security
 * scanner, HTTP library or headless browser, or an address in a scanner
 * range; or as a privacy proxy by its user agent or address. Timing
 * heuristics (a click right after delivery, several CTAs at once) need
 * stored state and are applied at ingestion (see INGEST_SCRIPT).
 *
 * Pure; the reason is safe to log (no part of the user agent is echoed).
 */
export function classifyClient(client: ClientInfo, ranges?: ClientRanges): ClientVerdict {
  if (client.method?.toUpperCase() === 'HEAD') return { bot: true, reason: 'HEAD request' };
  if (ranges && inRange(ranges.scanners, client.ip)) return { bot: true, reason: 'scanner address' };
  const ua = client.userAgent?.trim() ?? '';
  if (ua.length === 0) return { bot: true, reason: 'no user agent' };
  for (const [pattern, reason] of PROXY_AGENTS) if (pattern.test(ua)) return { bot: false, machine: reason };
  for (const [pattern, reason] of BOT_AGENTS) if (pattern.test(ua)) return { bot: true, reason };
  if (ranges && inRange(ranges.proxies, client.ip)) return { bot: false, machine: 'privacy proxy address' };
  return { bot: false };
}
