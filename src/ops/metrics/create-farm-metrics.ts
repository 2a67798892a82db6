import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import { watchQueues, type QueueCountSource, type WatchQueuesOptions } from './watch-queues.js';
import {
  INGEST_RESULTS,
  METRIC_PREFIX,
  metricLabels as L,
  metricNames as N,
  type CacheLayer,
  type CacheResult,
  type FarmRole,
  type IngestResult,
  type JobOutcome,
} from './metric-names.js';

export interface FarmMetricsOptions {
  role: FarmRole;
  /** Node process metrics (CPU, memory, event loop, GC). Default true. */
  processMetrics?: boolean;
}

/** What a finished render reports (RenderResult has these fields). */
export interface RenderStats {
  templateId: string;
  variant: string;
  format?: string;
  fps: number;
  framesCaptured: number;
  framesReused: number;
}

/**
 * One webhook delivery attempt, as the dispatcher reports it
 * (src/engagement/webhooks: `{endpointId, ok, status?, attempt, durationMs}`);
 * extra fields are ignored, the endpoint never becomes a label.
 */
export interface WebhookDeliveryOutcome {
  ok: boolean;
  /** The receiver's HTTP status, when it answered. */
  status?: number;
  /** Why no status: `timeout` is its own class, anything else counts as `network`. */
  error?: string;
  errorClass?: string;
  /** A failure with no retry left; `final="unknown"` when the reporter does not say. */
  final?: boolean;
}

/**
 * One ingested batch. Both spellings: the brief's (`duplicate`, `bot`) and
 * the ingester's IngestCounts (`duplicates`, `bots`, where `accepted`
 * includes the bots). The counter's results add up to every event seen:
 * accepted (stored human events), bot, duplicate, rejected.
 */
export type IngestedCounts =
  | Partial<Record<IngestResult, number>>
  | { accepted: number; duplicates: number; rejected: number; bots: number };

/** The fields of EncoderCaps (src/encode/encoder-caps.ts) the encoders gauge shows. */
export interface EncoderCapsLabels {
  label: string;
  decode: string;
  h264: string;
  hevc?: string;
}

/** BrowserPool.stats() fits. */
export interface BrowserPoolStatsSource {
  stats(): { live: number; idle: number; restarts: number; recycled: number };
}

/** One finished job attempt, with its queue. */
export interface JobSettled {
  queue: string;
  outcome: JobOutcome;
  seconds: number;
}

const SECONDS_BUCKETS = [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 20, 30, 60, 120, 300, 600, 1800];
const FPS_BUCKETS = [1, 2, 5, 10, 15, 20, 30, 45, 60, 90, 120, 240];
const STILL_FORMATS = new Set(['png', 'jpeg', 'jpg', 'webp']);

/**
 * The metrics of one farm process, on a registry of its own (never
 * prom-client's global one: tests make several in one process, and a
 * library must not leak series into its host's registry). Every series
 * carries `role`. Hooks are plain functions that never throw, so domain
 * code can call them without caring whether metrics are on.
 */
export function createFarmMetrics(options: FarmMetricsOptions) {
  const registry = new Registry();
  registry.setDefaultLabels({ role: options.role });
  if (options.processMetrics !== false) collectDefaultMetrics({ register: registry, prefix: METRIC_PREFIX });
  const registers = [registry];

  const jobDuration = new Histogram({ name: N.jobDuration, help: 'Processing time of a job attempt, by queue and outcome (completed, failed for good, retried).', labelNames: L.jobDuration, buckets: SECONDS_BUCKETS, registers });
  const renderChunkDuration = new Histogram({ name: N.renderChunkDuration, help: 'Processing time of a chunk job attempt of a split render, by outcome (not counted as a render job).', labelNames: L.renderChunkDuration, buckets: SECONDS_BUCKETS, registers });
  const renderFps = new Histogram({ name: N.renderFps, help: 'Frames per second of finished video renders (frames / wall time, encode included).', labelNames: L.renderFps, buckets: FPS_BUCKETS, registers });
  const framesCaptured = new Counter({ name: N.framesCaptured, help: 'Frames captured from a browser.', labelNames: L.framesCaptured, registers });
  const framesReused = new Counter({ name: N.framesReused, help: 'Frames reused because the page did not change (no capture).', labelNames: L.framesReused, registers });
  // The pool counts its own restarts (including those between renders and in failed
  // renders, which no render result reports): read on scrape, added as deltas.
  let pool: BrowserPoolStatsSource | undefined;
  const seen = { restarts: 0, recycled: 0 };
  const browserRestarts = new Counter({
    name: N.browserRestarts,
    help: 'Browsers replaced: reason=crashed (died) or recycled (render count or memory ceiling).',
    labelNames: L.browserRestarts,
    registers,
    collect() {
      if (!pool) return;
      const stats = pool.stats();
      this.inc({ reason: 'crashed' }, Math.max(0, stats.restarts - seen.restarts));
      this.inc({ reason: 'recycled' }, Math.max(0, stats.recycled - seen.recycled));
      seen.restarts = Math.max(seen.restarts, stats.restarts);
      seen.recycled = Math.max(seen.recycled, stats.recycled);
    },
  });
  const browsers = new Gauge({
    name: N.browsers,
    help: 'Browsers of the render pool: state=live (running) or idle (waiting for work).',
    labelNames: L.browsers,
    registers,
    collect() {
      if (!pool) return;
      const stats = pool.stats();
      this.set({ state: 'live' }, stats.live);
      this.set({ state: 'idle' }, stats.idle);
    },
  });
  const cacheLookups = new Counter({ name: N.cacheLookups, help: 'Output cache lookups: layer=fast_path|store|live, result=hit|miss.', labelNames: L.cacheLookups, registers });
  const coldRender = new Histogram({ name: N.coldRender, help: 'Live URL miss until the first byte (delivery=stream) or until the asset is stored (delivery=wait).', labelNames: L.coldRender, buckets: SECONDS_BUCKETS, registers });
  const encoders = new Gauge({ name: N.encoders, help: 'Encoders this transcode worker detected (value 1).', labelNames: L.encoders, registers });
  const webhookDeliveries = new Counter({ name: N.webhookDeliveries, help: 'Webhook delivery attempts: outcome=delivered|failed, status_class=2xx..5xx|timeout|network.', labelNames: L.webhookDeliveries, registers });
  const webhookFailures = new Counter({ name: N.webhookFailures, help: 'Failed webhook delivery attempts; final=true when no retry is left.', labelNames: L.webhookFailures, registers });
  const eventsIngested = new Counter({ name: N.eventsIngested, help: 'Engagement events by ingestion result: accepted, duplicate, rejected, bot.', labelNames: L.eventsIngested, registers });

  // Counters appear with zeros so dashboards and absent() alerts see them before the first event.
  for (const result of INGEST_RESULTS) eventsIngested.inc({ result }, 0);
  for (const layer of ['fast_path', 'store', 'live'] as const) for (const result of ['hit', 'miss'] as const) cacheLookups.inc({ layer, result }, 0);

  /** Hooks must never break the code that calls them. */
  const safe =
    <A extends unknown[]>(fn: (...args: A) => void) =>
    (...args: A): void => {
      try {
        fn(...args);
      } catch {
        // A bad label value is a bug here, not a reason to fail a render.
      }
    };

  const jobSettled = safe((event: JobSettled) => jobDuration.observe({ queue: event.queue, outcome: event.outcome }, Math.max(0, event.seconds)));

  return {
    registry,
    role: options.role,
    /** Text exposition of every series (what `/metrics` answers). */
    metrics: () => registry.metrics(),
    contentType: registry.contentType,
    handles: { jobDuration, renderChunkDuration, renderFps, framesCaptured, framesReused, browserRestarts, browsers, cacheLookups, coldRender, encoders, webhookDeliveries, webhookFailures, eventsIngested },

    jobSettled,

    /** A createJobWorker `onAttemptFinished` hook for one queue. */
    jobAttemptHook(queue: string): (attempt: { outcome: JobOutcome; durationMs: number }) => void {
      return (attempt) => jobSettled({ queue, outcome: attempt.outcome, seconds: attempt.durationMs / 1000 });
    },

    /**
     * A chunk job attempt of a split render finished: kept apart from the
     * render jobs' durations, where one split render counts once (its master).
     */
    chunkAttemptHook(): (attempt: { outcome: JobOutcome; durationMs: number }) => void {
      return safe((attempt) => renderChunkDuration.observe({ outcome: attempt.outcome }, Math.max(0, attempt.durationMs / 1000)));
    },

    /**
     * A render finished: frames captured and reused, and its fps (video only:
     * a still has no rate). A chunk of a split render adds its frames but no
     * fps sample: the fps histogram counts renders, and a chunk is a part of one.
     */
    observeRender: safe((stats: RenderStats, part: { chunk?: boolean } = {}) => {
      const labels = { template: stats.templateId, variant: stats.variant };
      framesCaptured.inc(labels, stats.framesCaptured);
      framesReused.inc(labels, stats.framesReused);
      if (part.chunk || STILL_FORMATS.has(stats.format ?? '')) return;
      if (Number.isFinite(stats.fps) && stats.fps > 0) renderFps.observe(labels, stats.fps);
    }),

    cacheLookup: safe((layer: CacheLayer, result: CacheResult) => cacheLookups.inc({ layer, result })),

    observeColdRender: safe((seconds: number, labels: { assetKind: 'master' | 'deliverable'; delivery: 'stream' | 'wait' }) =>
      coldRender.observe({ asset_kind: labels.assetKind, delivery: labels.delivery }, Math.max(0, seconds)),
    ),

    /** The encoders a transcode worker detected (replaces any earlier set). */
    setEncoders: safe((caps: EncoderCapsLabels) => {
      encoders.reset();
      const gpu = caps.decode !== 'cpu' || caps.h264 !== 'libx264' ? 'true' : 'false';
      encoders.set({ kind: caps.label, decode: caps.decode, h264: caps.h264, hevc: caps.hevc ?? 'none', gpu }, 1);
    }),

    /** The engagement ingester's `onIngested(counts)` hook (createEventIngest's `onIngested`). */
    onIngested: safe((counts: IngestedCounts) => {
      const plural = counts as Partial<{ accepted: number; duplicates: number; rejected: number; bots: number }>;
      const byResult: Partial<Record<IngestResult, number>> =
        plural.duplicates !== undefined || plural.bots !== undefined
          ? { accepted: (plural.accepted ?? 0) - (plural.bots ?? 0), bot: plural.bots, duplicate: plural.duplicates, rejected: plural.rejected }
          : (counts as Partial<Record<IngestResult, number>>);
      for (const result of INGEST_RESULTS) {
        const n = byResult[result];
        if (n !== undefined && n > 0) eventsIngested.inc({ result }, n);
      }
    }),

    /** The webhook dispatcher's `onDelivery(outcome)` hook: one call per attempt. */
    onDelivery: safe((outcome: WebhookDeliveryOutcome) => {
      const statusClass = statusClassOf(outcome);
      webhookDeliveries.inc({ outcome: outcome.ok ? 'delivered' : 'failed', status_class: statusClass });
      const final = outcome.final === undefined ? 'unknown' : String(outcome.final);
      if (!outcome.ok) webhookFailures.inc({ status_class: statusClass, final });
    }),

    /** Queue depth per queue and state, read on scrape. Call it in one process only (the API). */
    watchQueues: (queues: readonly QueueCountSource[], watchOptions?: WatchQueuesOptions) => watchQueues(registry, queues, watchOptions),

    /** Browser restarts and live/idle browsers, read from the pool's stats on scrape. */
    watchBrowserPool(source: BrowserPoolStatsSource): void {
      pool = source;
      seen.restarts = 0;
      seen.recycled = 0;
    },
  };
}

export type FarmMetrics = ReturnType<typeof createFarmMetrics>;

function statusClassOf(outcome: WebhookDeliveryOutcome): string {
  if (outcome.status !== undefined && outcome.status >= 100 && outcome.status < 600) return `${Math.floor(outcome.status / 100)}xx`;
  return outcome.error === 'timeout' || outcome.errorClass === 'timeout' ? 'timeout' : 'network';
}
