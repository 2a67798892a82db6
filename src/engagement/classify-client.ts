/** What is known about the HTTP client behind an event. */
export interface ClientInfo {
  userAgent?: string | undefined;
  /** The request method: a HEAD never comes from a person looking at something. */
  method?: string | undefined;
}

export type ClientVerdict = { bot: false } | { bot: true; reason: string };

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
 * Flags a client as a bot or link scanner from what one request shows: a
 * HEAD request, no user agent at all, or a known crawler, unfurler, security
 * scanner, HTTP library or headless browser. Timing heuristics (a click
 * right after delivery, several CTAs at once) need stored state and are
 * applied at ingestion (see INGEST_SCRIPT).
 *
 * Pure; the reason is safe to log (no part of the user agent is echoed).
 */
export function classifyClient(client: ClientInfo): ClientVerdict {
  if (client.method?.toUpperCase() === 'HEAD') return { bot: true, reason: 'HEAD request' };
  const ua = client.userAgent?.trim() ?? '';
  if (ua.length === 0) return { bot: true, reason: 'no user agent' };
  for (const [pattern, reason] of BOT_AGENTS) if (pattern.test(ua)) return { bot: true, reason };
  return { bot: false };
}
