/**
 * Every metric the farm exports, with its label names: one list that the
 * factory, the tests, the docs and dashboards read. All names carry the
 * `mastercut_` prefix. Labels are low-cardinality on purpose: never a render
 * key, a campaign id, a recipient, a token or a webhook URL.
 */
export const METRIC_PREFIX = 'mastercut_';

export const metricNames = {
  /** Gauge, API only (one source): jobs per queue and state, read on scrape. */
  queueJobs: 'mastercut_queue_jobs',
  /** Histogram: how long a worker held a job, per queue and outcome. */
  jobDuration: 'mastercut_job_duration_seconds',
  /**
   * Histogram: how long a worker held a chunk job of a split render, per
   * outcome. Chunks are not render jobs: they are kept out of jobDuration
   * (and of the ops queue stats), where the split master counts once.
   */
  renderChunkDuration: 'mastercut_render_chunk_duration_seconds',
  /** Histogram: frames per second of finished video renders. */
  renderFps: 'mastercut_render_fps',
  /** Counter: frames captured from a browser. */
  framesCaptured: 'mastercut_render_frames_captured_total',
  /** Counter: frames reused because the page did not change. */
  framesReused: 'mastercut_render_frames_reused_total',
  /** Counter: browsers replaced (crashed) or recycled (renders or memory). */
  browserRestarts: 'mastercut_browser_restarts_total',
  /** Gauge: browsers of the pool, live and idle. */
  browsers: 'mastercut_browsers',
  /** Counter: output cache lookups per layer and result. */
  cacheLookups: 'mastercut_cache_lookups_total',
  /** Histogram: a Live URL miss until its first byte (stream) or until it is ready (wait). */
  coldRender: 'mastercut_live_cold_render_seconds',
  /** Gauge (always 1): the encoders a transcode worker detected. */
  encoders: 'mastercut_transcode_encoders',
  /** Counter: webhook delivery attempts per outcome and HTTP status class. */
  webhookDeliveries: 'mastercut_webhook_deliveries_total',
  /** Counter: failed webhook delivery attempts; `final` when no retry is left. */
  webhookFailures: 'mastercut_webhook_failures_total',
  /** Counter: engagement events per ingestion result. */
  eventsIngested: 'mastercut_events_ingested_total',
} as const;

export const metricLabels = {
  queueJobs: ['queue', 'state'],
  jobDuration: ['queue', 'outcome'],
  renderChunkDuration: ['outcome'],
  renderFps: ['template', 'variant'],
  framesCaptured: ['template', 'variant'],
  framesReused: ['template', 'variant'],
  browserRestarts: ['reason'],
  browsers: ['state'],
  cacheLookups: ['layer', 'result'],
  coldRender: ['asset_kind', 'delivery'],
  encoders: ['kind', 'decode', 'h264', 'hevc', 'gpu'],
  webhookDeliveries: ['outcome', 'status_class'],
  webhookFailures: ['status_class', 'final'],
  eventsIngested: ['result'],
} as const satisfies Record<keyof typeof metricNames, readonly string[]>;

/** Process roles; each is a `role` label on every series of its process. */
export type FarmRole = 'api' | 'render' | 'transcode' | 'webhooks';

/** BullMQ job states reported per queue (Queue.getJobCounts). */
export const QUEUE_STATES = ['waiting', 'active', 'delayed', 'failed', 'completed', 'paused', 'prioritized'] as const;
export type QueueState = (typeof QUEUE_STATES)[number];

/** How a job attempt ended (createJobWorker's onAttemptFinished): done, failed for good, or failed and retried. */
export type JobOutcome = 'completed' | 'failed' | 'retried';

/**
 * fast_path: the in-memory answer in front of Express; store: `/v1/outputs`;
 * live: Live URL assets (a miss starts or joins a render).
 */
export type CacheLayer = 'fast_path' | 'store' | 'live';
export type CacheResult = 'hit' | 'miss';

export const INGEST_RESULTS = ['accepted', 'duplicate', 'rejected', 'bot'] as const;
export type IngestResult = (typeof INGEST_RESULTS)[number];
