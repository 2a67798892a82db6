import { createHash } from 'node:crypto';
import { isIP } from 'node:net';
import { classifyClient, type ClientInfo, type ClientRanges, type ClientVerdict } from './classify-client.js';
import { toMinorUnits, fromMinorUnits } from './currency.js';
import { engagementEventSchema, type EngagementEvent } from './engagement-event.schema.js';
import { INGEST_CLASS } from './ingest-script.js';
import { isObject } from './is-object.js';
import { serverEventId } from './server-event-id.js';

/** Who reported an event: the farm itself, an API-key caller, a browser (beacon or pixel), an order import. */
export type EventSource = 'farm' | 'api' | 'beacon' | 'pixel' | 'import';

/** An event ready for INGEST_SCRIPT: the stored event and its script arguments. */
export interface PreparedEvent {
  event: EngagementEvent;
  /** INGEST_CLASS value. */
  class: string;
  /** The script's per-type detail argument. */
  detail: string;
}

export interface PrepareContext {
  source: EventSource;
  /** The request's client: a bot or scanner flags every event of the batch. */
  client?: ClientInfo | undefined;
  /** API-key callers may set `bot` and pass each event's own `client` ({userAgent, ip}). */
  trusted: boolean;
  ranges: ClientRanges;
  /** Latest accepted `ts` (now plus the allowed clock skew). */
  maxTs: number;
}

/** CTA ids go into the script's `,`/`;` lists: other characters are replaced by a hash of the id. */
const PLAIN_CTA = /^[A-Za-z0-9_.:-]{1,64}$/;

/**
 * Validates one input event and decides what ingestion knows without
 * stored state: its id (a conversion's comes from its campaign and order
 * id, so an order counts once whoever reports it), its client verdict (bot,
 * privacy-proxy open), `meta.source` of deliveries and conversions, and a
 * conversion's value rounded to its currency's minor unit. Returns the
 * reason (field paths, never values) when the event is refused.
 */
export function prepareIngestEvent(input: unknown, ctx: PrepareContext): PreparedEvent | { error: string } {
  let candidate = input;
  let client = ctx.client;
  if (isObject(input)) {
    const { client: passed, ...rest } = input;
    if (passed !== undefined) {
      if (!ctx.trusted) return { error: 'client: only API-key callers pass a client' };
      const checked = checkPassedClient(passed);
      if (typeof checked === 'string') return { error: checked };
      client = checked;
    }
    candidate = rest.type === 'conversion' && typeof rest.campaignId === 'string' && typeof rest.orderId === 'string' ? { ...rest, id: serverEventId(['conversion', rest.campaignId, rest.orderId]) } : rest;
  }
  const parsed = engagementEventSchema.safeParse(candidate);
  if (!parsed.success) return { error: describeIssues(parsed.error.issues) };
  const event = parsed.data;
  if (event.ts > ctx.maxTs) return { error: 'ts: later than the server clock allows (epoch milliseconds, at most EVENTS_MAX_CLOCK_SKEW_S ahead)' };
  const verdict: ClientVerdict = client ? classifyClient(client, ctx.ranges) : { bot: false };
  const bot = verdict.bot || (ctx.trusted && event.bot) || (verdict.machine !== undefined && event.type !== 'impression');

  if (event.type === 'conversion') {
    const minor = toMinorUnits(event.value, event.currency);
    const stored: EngagementEvent = { ...event, value: fromMinorUnits(minor, event.currency), bot, meta: { ...event.meta, source: ctx.source } };
    return { event: stored, class: bot ? INGEST_CLASS.bot : INGEST_CLASS.candidate, detail: JSON.stringify([event.recipientId, event.ts, minor, event.currency, event.channel ?? '']) };
  }
  const machine = !bot && verdict.machine !== undefined;
  let detail = '';
  let meta = event.meta;
  if (event.type === 'delivered') {
    meta = { ...meta, source: ctx.source === 'farm' ? 'farm' : 'sender' };
    detail = `${ctx.source === 'farm' ? 'f' : 's'}:${typeof meta.propsHash === 'string' ? meta.propsHash : ''}`;
  } else if (event.type === 'cta_click') {
    const cta = typeof meta.ctaId === 'string' ? meta.ctaId : '';
    detail = cta === '' ? '-' : PLAIN_CTA.test(cta) ? cta : `h${createHash('sha256').update(cta).digest('hex').slice(0, 16)}`;
  }
  const stored: EngagementEvent = { ...event, meta, bot, ...(machine ? { machineOpen: true as const } : {}) };
  return { event: stored, class: bot ? INGEST_CLASS.bot : machine ? INGEST_CLASS.machineOpen : INGEST_CLASS.candidate, detail };
}

function checkPassedClient(value: unknown): ClientInfo | string {
  if (!isObject(value)) return 'client: expected {userAgent?, ip?}';
  const { userAgent, ip, ...other } = value;
  if (Object.keys(other).length > 0) return 'client: only userAgent and ip';
  if (userAgent !== undefined && (typeof userAgent !== 'string' || userAgent.length > 1000)) return 'client.userAgent: a string of at most 1000 characters';
  if (ip !== undefined && (typeof ip !== 'string' || isIP(ip) === 0)) return 'client.ip: an IPv4 or IPv6 address';
  return { userAgent: userAgent as string | undefined, ip: ip as string | undefined, method: 'GET' };
}

/** Field paths and messages only: the values may be personal data. */
function describeIssues(issues: readonly { path: readonly PropertyKey[]; message: string }[]): string {
  return issues
    .slice(0, 5)
    .map((issue) => `${issue.path.map(String).join('.') || '(event)'}: ${issue.message}`)
    .join('; ');
}
