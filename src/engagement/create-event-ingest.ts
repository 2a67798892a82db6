import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import { classifyClient, type ClientInfo } from './classify-client.js';
import { tombstoneKey } from '../live/index.js';
import { ENGAGEMENT_CAMPAIGNS_KEY, ENGAGEMENT_PREFIX, EVENTS_STREAM_KEY } from './engagement-keys.js';
import { engagementEventSchema, type EngagementEvent, type EventSink } from './engagement-event.schema.js';
import { INGEST_ARGS_PER_EVENT, INGEST_CODE, INGEST_SCRIPT } from './ingest-script.js';
import { createScriptRunner } from './run-script.js';

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
  /** An impression or click sooner than this after the channel's delivery is a scanner. Default 2000 ms. */
  minResponseDelayMs?: number;
  /** Clicks on two different CTAs of one recipient closer than this are a scanner. Default 1000 ms. */
  multiCtaWindowMs?: number;
  /** Events per script call: bounds how long one call holds Redis. Default 500. */
  scriptBatch?: number;
}

export type ResolvedEventIngestOptions = Required<EventIngestOptions>;

export function resolveEventIngestOptions(options: EventIngestOptions = {}): ResolvedEventIngestOptions {
  return {
    streamMaxLen: options.streamMaxLen ?? 1_000_000,
    dedupeTtlSeconds: options.dedupeTtlSeconds ?? 7 * 86_400,
    retentionSeconds: options.retentionSeconds ?? 90 * 86_400,
    minResponseDelayMs: options.minResponseDelayMs ?? 2_000,
    multiCtaWindowMs: options.multiCtaWindowMs ?? 1_000,
    scriptBatch: options.scriptBatch ?? 500,
  };
}

/** Where one ingested event went. */
export interface IngestContext {
  /** The HTTP client behind the batch: a bot or scanner flags every event of it. */
  client?: ClientInfo;
  /**
   * Server side callers (API key, the farm itself) may set `bot` on an
   * event; for anyone else it is decided here only. Default false.
   */
  trusted?: boolean;
}

export interface IngestResult extends Omit<IngestCounts, 'rejected'> {
  /** One entry per invalid event: its index in the batch and why (field paths, never values). */
  rejected: { index: number; message: string }[];
  /** The stored events (duplicates and rejects left out), `bot` as decided. */
  events: EngagementEvent[];
}

export type EventIngest = ReturnType<typeof createEventIngest>;

/**
 * Ingestion of engagement events: validates each event on its own (a bad
 * one is reported by index, the rest of the batch is kept), then dedupes,
 * appends to the stream and updates every aggregate in one Lua call per
 * batch (see INGEST_SCRIPT), then hands the stored events to the sinks.
 */
export function createEventIngest(deps: EventIngestDeps, options: EventIngestOptions = {}) {
  const opts = resolveEventIngestOptions(options);
  const run = createScriptRunner(deps.redis, INGEST_SCRIPT);
  const head = [ENGAGEMENT_PREFIX, opts.dedupeTtlSeconds, opts.retentionSeconds, opts.streamMaxLen, opts.minResponseDelayMs, opts.multiCtaWindowMs];

  async function store(events: EngagementEvent[]): Promise<number[]> {
    const codes: number[] = [];
    for (let start = 0; start < events.length; start += opts.scriptBatch) {
      const slice = events.slice(start, start + opts.scriptBatch);
      const args: (string | number)[] = [...head];
      for (const e of slice) {
        const { bot, ...rest } = e;
        // The script closes the JSON with its own verdict (timing may flag a bot).
        const json = JSON.stringify(rest);
        const propsHash = typeof e.meta.propsHash === 'string' ? e.meta.propsHash : '';
        const ctaId = typeof e.meta.ctaId === 'string' ? e.meta.ctaId : '';
        const tomb = tombstoneKey(e.recipientId);
        args.push(e.id, e.campaignId, e.recipientId, e.channel, e.type, e.ts, bot ? 1 : 0, propsHash, ctaId, tomb, `${json.slice(0, -1)},"bot":`);
      }
      if (args.length !== head.length + slice.length * INGEST_ARGS_PER_EVENT) throw new Error('ingest arguments out of step');
      codes.push(...((await run([EVENTS_STREAM_KEY, ENGAGEMENT_CAMPAIGNS_KEY], args)) as number[]));
    }
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
      const verdict = context.client ? classifyClient(context.client) : { bot: false as const };
      const rejected: IngestResult['rejected'] = [];
      const valid: EngagementEvent[] = [];
      /** Index in `inputs` of each valid event. */
      const at: number[] = [];
      inputs.forEach((input, index) => {
        const parsed = engagementEventSchema.safeParse(input);
        if (!parsed.success) {
          rejected.push({ index, message: describeIssues(parsed.error.issues) });
          return;
        }
        const event = parsed.data;
        valid.push({ ...event, bot: verdict.bot || (context.trusted === true && event.bot) });
        at.push(index);
      });
      const codes = valid.length > 0 ? await store(valid) : [];
      const events: EngagementEvent[] = [];
      let duplicates = 0;
      let bots = 0;
      codes.forEach((code, i) => {
        if (code === INGEST_CODE.duplicate) return void duplicates++;
        if (code === INGEST_CODE.erased) return void rejected.push({ index: at[i]!, message: 'recipientId: this recipient was erased; nothing is recorded about them' });
        const bot = code === INGEST_CODE.bot;
        if (bot) bots++;
        events.push(bot === valid[i]!.bot ? valid[i]! : { ...valid[i]!, bot });
      });
      rejected.sort((a, b) => a.index - b.index);
      const result: IngestResult = { accepted: events.length, duplicates, bots, rejected, events };
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

/** Field paths and messages only: the values may be personal data. */
function describeIssues(issues: readonly { path: readonly PropertyKey[]; message: string }[]): string {
  return issues
    .slice(0, 5)
    .map((issue) => `${issue.path.map(String).join('.') || '(event)'}: ${issue.message}`)
    .join('; ');
}

function errorName(err: unknown): string {
  return err instanceof Error ? `${err.name}: ${err.message}` : String(err);
}
