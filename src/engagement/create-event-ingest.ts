import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import { createClientRanges, type ClientInfo } from './classify-client.js';
import { tombstoneKey } from '../live/index.js';
import { scriptRunner } from '../redis/index.js';
import { ALL_CHANNELS, ENGAGEMENT_CAMPAIGNS_KEY, EVENTS_STREAM_KEY, engagementKeys, type EngagementKeys } from './engagement-keys.js';
import type { EngagementEvent, EventSink } from './engagement-event.schema.js';
import { ingestHashKeys } from './ingest-lua-state.js';
import { INGEST_ARGS_PER_EVENT, INGEST_CODE, INGEST_HEAD_ARGS, INGEST_SCRIPT } from './ingest-script.js';
import { prepareIngestEvent, type EventSource, type PreparedEvent } from './prepare-ingest-event.js';

/** Counts of one ingested batch, as reported to `onIngested` (e.g. Prometheus counters). */
export interface IngestCounts {
  /** Stored events, humans and bots. */
  accepted: number;
  /** Events whose id was already stored (nothing changed). */
  duplicates: number;
  /** Events that failed validation. */
  rejected: number;
  /** Stored events flagged as bots or link scanners (included in `accepted`). */
  bots: number;
}

export interface EventIngestDeps {
  redis: Redis;
  /** Called with the stored events of each batch (after Redis has them); a failure is logged, never lost data. */
  sinks?: readonly EventSink[];
  /** Called once per batch with its counts. Must not throw. */
  onIngested?: (counts: IngestCounts) => void;
  /** Default: none (sink failures are then silent). */
  logger?: Logger;
}

export interface EventIngestOptions {
  /** Approximate length cap of the events stream (XADD MAXLEN ~). Default 1,000,000. */
  streamMaxLen?: number;
  /** How long an event id is remembered for dedupe. Default 7 days. */
  dedupeTtlSeconds?: number;
  /** A campaign's engagement keys expire this long after its last event. Default 90 days. */
  retentionSeconds?: number;
  /** An impression or click sooner than this after a delivery of its channel is a scanner. Default 2000 ms. */
  minResponseDelayMs?: number;
  /** Clicks on two different CTAs of one recipient closer than this are a scanner's. Default 1000 ms. */
  multiCtaWindowMs?: number;
  /** Events per script call: bounds how long one call holds Redis. Default 500. */
  scriptBatch?: number;
  /** An event stamped later than now plus this is refused. Default 300,000 ms. */
  maxClockSkewMs?: number;
  /** Deliveries, human opens and clicks kept per recipient for order-independent classification. Default 64. */
  perRecipientCap?: number;
  /** Link scanners' address ranges (CIDR). Default DEFAULT_SCANNER_CIDRS. */
  scannerCidrs?: readonly string[];
  /** Privacy proxies' address ranges (CIDR): their opens are machine-likely. Default none. */
  proxyCidrs?: readonly string[];
}

export type ResolvedEventIngestOptions = Required<Omit<EventIngestOptions, 'scannerCidrs' | 'proxyCidrs'>> & Pick<EventIngestOptions, 'scannerCidrs' | 'proxyCidrs'>;

export function resolveEventIngestOptions(options: EventIngestOptions = {}): ResolvedEventIngestOptions {
  return {
    streamMaxLen: options.streamMaxLen ?? 1_000_000,
    dedupeTtlSeconds: options.dedupeTtlSeconds ?? 7 * 86_400,
    retentionSeconds: options.retentionSeconds ?? 90 * 86_400,
    minResponseDelayMs: options.minResponseDelayMs ?? 2_000,
    multiCtaWindowMs: options.multiCtaWindowMs ?? 1_000,
    scriptBatch: options.scriptBatch ?? 500,
    maxClockSkewMs: options.maxClockSkewMs ?? 300_000,
    perRecipientCap: options.perRecipientCap ?? 64,
    scannerCidrs: options.scannerCidrs,
    proxyCidrs: options.proxyCidrs,
  };
}

/** Where one ingested event went. */
export interface IngestContext {
  /** The HTTP client behind the batch: a bot or scanner flags every event of it. */
  client?: ClientInfo;
  /**
   * Server side callers (API key, the farm itself) may set `bot` on an
   * event and pass each event's client (`client: {userAgent, ip}`); for
   * anyone else it is decided here only. Default false.
   */
  trusted?: boolean;
  /** Who reports the batch (`meta.source` of deliveries and conversions). Default `api` when trusted, else `beacon`. */
  source?: EventSource;
}

export interface IngestResult extends Omit<IngestCounts, 'rejected'> {
  /** One entry per invalid event: its index in the batch and why (field paths, never values). */
  rejected: { index: number; message: string }[];
  /** Stored opens fetched by a privacy proxy (counted apart, included in `accepted`). */
  machineOpens: number;
  /** The stored events (duplicates and rejects left out), `bot` as decided. */
  events: EngagementEvent[];
}

export type EventIngest = ReturnType<typeof createEventIngest>;

/**
 * Ingestion of engagement events: validates and classifies each event on
 * its own (prepareIngestEvent: a bad one is reported by index, the rest of
 * the batch is kept), then dedupes, appends to the stream and updates every
 * aggregate in one Lua call per batch (see INGEST_SCRIPT), then hands the
 * stored events to the sinks.
 */
export function createEventIngest(deps: EventIngestDeps, options: EventIngestOptions = {}) {
  const opts = resolveEventIngestOptions(options);
  const ranges = createClientRanges({ scannerCidrs: opts.scannerCidrs, proxyCidrs: opts.proxyCidrs });
  const run = scriptRunner(deps.redis, INGEST_SCRIPT);
  const head = [opts.dedupeTtlSeconds, opts.retentionSeconds, opts.streamMaxLen, opts.minResponseDelayMs, opts.multiCtaWindowMs, opts.perRecipientCap];
  if (head.length !== INGEST_HEAD_ARGS) throw new Error('ingest head arguments out of step');

  /** One script call: every key it touches goes in KEYS, each once, and each event names its keys by index. */
  async function storeSlice(slice: readonly PreparedEvent[]): Promise<number[]> {
    const keys: string[] = [EVENTS_STREAM_KEY, ENGAGEMENT_CAMPAIGNS_KEY];
    const index = new Map<string, number>();
    /** The 1-based KEYS index of a key, declared on first use. */
    const keyAt = (key: string): number => {
      let at = index.get(key);
      if (at === undefined) {
        at = keys.push(key);
        index.set(key, at);
      }
      return at;
    };
    const campaigns = new Map<string, { at: number; k: EngagementKeys }>();
    const args: (string | number)[] = [...head];
    for (const { event: e, class: cls, detail } of slice) {
      let campaign = campaigns.get(e.campaignId);
      if (!campaign) {
        const k = engagementKeys(e.campaignId);
        campaign = { at: keys.length + 1, k };
        keys.push(...ingestHashKeys(k));
        campaigns.set(e.campaignId, campaign);
      }
      const { at, k } = campaign;
      const channel = e.channel ?? '-';
      const { bot, ...rest } = e;
      // The script closes the JSON with its own verdict (timing may flag a bot).
      const json = JSON.stringify(rest);
      args.push(e.id, e.campaignId, e.recipientId, channel, e.type, e.ts, cls, detail, `${json.slice(0, -1)},"bot":`);
      args.push(at, keyAt(k.eventId(e.id)), keyAt(tombstoneKey(e.recipientId)), ...(e.type === 'conversion' ? [0, 0] : [keyAt(k.hll(channel, e.type)), keyAt(k.hll(ALL_CHANNELS, e.type))]));
      args.push(shownProfileVersion(e));
    }
    if (args.length !== head.length + slice.length * INGEST_ARGS_PER_EVENT) throw new Error('ingest arguments out of step');
    return (await run(keys, args)) as number[];
  }

  async function store(prepared: PreparedEvent[]): Promise<number[]> {
    const codes: number[] = [];
    for (let start = 0; start < prepared.length; start += opts.scriptBatch) codes.push(...(await storeSlice(prepared.slice(start, start + opts.scriptBatch))));
    return codes;
  }

  return {
    options: opts,
    /**
     * Ingests a batch. Resolves once Redis holds every accepted event and
     * the sinks were called; rejects only when Redis fails (nothing of the
     * failed script call is stored then: the batch may be retried as is).
     */
    async ingest(inputs: readonly unknown[], context: IngestContext = {}): Promise<IngestResult> {
      const trusted = context.trusted === true;
      const ctx = { source: context.source ?? (trusted ? 'api' : 'beacon'), client: context.client, trusted, ranges, maxTs: Date.now() + opts.maxClockSkewMs } as const;
      const rejected: IngestResult['rejected'] = [];
      const valid: PreparedEvent[] = [];
      /** Index in `inputs` of each valid event. */
      const at: number[] = [];
      inputs.forEach((input, index) => {
        const prepared = prepareIngestEvent(input, ctx);
        if ('error' in prepared) return void rejected.push({ index, message: prepared.error });
        valid.push(prepared);
        at.push(index);
      });
      const codes = valid.length > 0 ? await store(valid) : [];
      const events: EngagementEvent[] = [];
      let duplicates = 0;
      let bots = 0;
      let machineOpens = 0;
      codes.forEach((code, i) => {
        if (code === INGEST_CODE.duplicate) return void duplicates++;
        if (code === INGEST_CODE.erased) return void rejected.push({ index: at[i]!, message: 'recipientId: this recipient was erased (nothing is recorded about them)' });
        const bot = code === INGEST_CODE.bot;
        if (bot) bots++;
        if (code === INGEST_CODE.machineOpen) machineOpens++;
        const event = valid[i]!.event;
        events.push(bot === event.bot ? event : { ...event, bot });
      });
      rejected.sort((a, b) => a.index - b.index);
      const result: IngestResult = { accepted: events.length, duplicates, bots, machineOpens, rejected, events };
      try {
        deps.onIngested?.({ accepted: events.length, duplicates, rejected: rejected.length, bots });
      } catch (err) {
        deps.logger?.warn({ err: errorName(err) }, 'engagement onIngested hook failed');
      }
      if (events.length > 0 && deps.sinks) {
        await Promise.all(
          deps.sinks.map((sink) =>
            sink(events).catch((err: unknown) => deps.logger?.error({ err: errorName(err), events: events.length }, 'engagement sink failed; events are stored')),
          ),
        );
      }
      return result;
    },
  };
}

function errorName(err: unknown): string {
  return err instanceof Error ? `${err.name}: ${err.message}` : String(err);
}

/** The profile version an event showed (`meta.profileVersion`, a positive integer), as the script's argument; '' when none. */
function shownProfileVersion(e: EngagementEvent): string {
  const version = e.type === 'conversion' ? undefined : e.meta.profileVersion;
  return typeof version === 'number' && Number.isSafeInteger(version) && version > 0 ? String(version) : '';
}
