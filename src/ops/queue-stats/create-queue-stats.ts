import { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import { QUEUE_PREFIX, listWorkers, type WorkerRole } from '../../queue/index.js';
import { createStatsRecorder, type StatsRecorder } from './create-stats-recorder.js';
import { DEFAULT_BUCKET_SECONDS, statsBucketKey } from './ops-stats-keys.js';

/** Jobs of a queue per state, now. */
export interface QueueCounts {
  waiting: number;
  active: number;
  delayed: number;
  failed: number;
  prioritized: number;
  completed: number;
}

/** Completions over one trailing window. */
export interface CompletionWindow {
  minutes: number;
  /** Seconds actually covered (whole buckets up to now, so a little less than `minutes`). */
  coveredSec: number;
  completed: number;
  /** Jobs failed for good. */
  failed: number;
  completedPerMinute: number;
}

/** One bucket of the recent history. */
export interface StatsBucket {
  /** Start of the bucket, ISO 8601. */
  at: string;
  completed: number;
  failed: number;
  retried: number;
  /** Mean processing time of the attempts that ended in this bucket, or null. */
  meanServiceSec: number | null;
}

/** A worker online for a queue, from its heartbeat. */
export interface OnlineWorker {
  id: string;
  host: string;
  concurrency: number;
  /** What the worker advertised (transcode workers: their encoders), when it did. */
  encoders?: string;
  lastBeatAt: string;
}

/** What `mastercut ops status` and the scaling metrics read for one queue. */
export interface QueueStats {
  queue: string;
  at: string;
  paused: boolean;
  counts: QueueCounts;
  /** Jobs not finished: waiting + prioritized + delayed + active. */
  backlog: number;
  windows: CompletionWindow[];
  /** Oldest first, one per bucket, the last `historyMinutes`. */
  history: StatsBucket[];
  /** Mean processing time per job (seconds) over the service window, or null when no job finished in it. */
  serviceSecPerJob: number | null;
  /** Attempts the service time is measured over. */
  serviceSamples: number;
  /** Jobs arriving per second over the arrival window, or null when nothing was measured yet. */
  arrivalPerSec: number | null;
  /**
   * backlog: completions plus backlog growth since the oldest backlog sample
   * in the window (exact arrivals); completions: no sample yet, so the queue
   * is assumed steady and arrivals = completions; none: nothing recorded.
   */
  arrivalBasis: 'backlog' | 'completions' | 'none';
  /** Seconds the arrival rate is measured over. */
  arrivalSpanSec: number;
  workers: OnlineWorker[];
  /** Sum of the online workers' concurrency. */
  onlineConcurrency: number;
}

export interface QueueStatsDeps {
  /** Any connection to the farm's Redis (commands only, nothing blocking). */
  redis: Redis;
}

export interface QueueStatsOptions {
  prefix?: string;
  /** Must match the workers' recorders. Default 60 s. */
  bucketSeconds?: number;
  /** Heartbeat role of a queue's workers. Default: the queue name (render, transcode, webhooks). */
  roleFor?: (queueName: string) => string;
}

export interface ReadStatsOptions {
  /** Trailing windows of completion counts, in minutes. Default [5, 15]. */
  windowsMinutes?: number[];
  /** Window of the service time and arrival rate. Default 15 min. */
  rateWindowMinutes?: number;
  /** Without a finished job in the rate window, look this far back for a service time. Default 60 min. */
  serviceFallbackMinutes?: number;
  /** Buckets listed in `history`. Default 15. */
  historyMinutes?: number;
}

export interface QueueStatsReader {
  read(queueName: string, options?: ReadStatsOptions): Promise<QueueStats>;
  /** The BullMQ Queue handle the reader uses for a queue (shared with the admin commands). */
  queue(queueName: string): Queue;
  /** Closes the Queue handles (not the connection). */
  close(): Promise<void>;
}

interface RawBucket {
  index: number;
  c: number;
  ff: number;
  fr: number;
  n: number;
  ms: number;
  samples: { backlog: number; at: number; departures: number }[];
}

/**
 * Reads a queue's live figures: counts per state from BullMQ, completions,
 * service time and arrival rate from the buckets workers record
 * (createStatsRecorder), and the workers online from their heartbeats.
 * Each read also samples the backlog, so an idle farm keeps samples.
 */
export function createQueueStats(deps: QueueStatsDeps, options: QueueStatsOptions = {}): QueueStatsReader {
  const prefix = options.prefix ?? QUEUE_PREFIX;
  const bucketSeconds = options.bucketSeconds ?? DEFAULT_BUCKET_SECONDS;
  const roleFor = options.roleFor ?? ((q: string) => q);
  const queues = new Map<string, Queue>();
  const samplers = new Map<string, StatsRecorder>();

  const queueOf = (name: string): Queue => {
    let q = queues.get(name);
    if (!q) {
      q = new Queue(name, { connection: deps.redis, prefix });
      q.on('error', () => undefined);
      queues.set(name, q);
    }
    return q;
  };

  const read = async (queueName: string, o: ReadStatsOptions = {}): Promise<QueueStats> => {
    const windowsMinutes = o.windowsMinutes ?? [5, 15];
    const rateMinutes = o.rateWindowMinutes ?? 15;
    const fallbackMinutes = Math.max(o.serviceFallbackMinutes ?? 60, rateMinutes);
    const historyMinutes = o.historyMinutes ?? 15;
    let sampler = samplers.get(queueName);
    if (!sampler) samplers.set(queueName, (sampler = createStatsRecorder(deps.redis, { queueName, prefix, bucketSeconds })));
    // Sample first so this read's backlog is one of the points.
    await sampler.sample();
    const now = Date.now();
    const queue = queueOf(queueName);
    const [counts, paused, workers] = await Promise.all([
      queue.getJobCounts('waiting', 'active', 'delayed', 'failed', 'prioritized', 'completed'),
      queue.isPaused(),
      listWorkers(deps.redis, roleFor(queueName) as WorkerRole),
    ]);
    const c: QueueCounts = {
      waiting: counts.waiting ?? 0,
      active: counts.active ?? 0,
      delayed: counts.delayed ?? 0,
      failed: counts.failed ?? 0,
      prioritized: counts.prioritized ?? 0,
      completed: counts.completed ?? 0,
    };
    const backlog = c.waiting + c.active + c.delayed + c.prioritized;

    const span = Math.max(...windowsMinutes, fallbackMinutes, historyMinutes) * 60;
    const current = Math.floor(now / 1000 / bucketSeconds);
    const count = Math.max(1, Math.ceil(span / bucketSeconds));
    const buckets = await readBuckets(deps.redis, queueName, current - count + 1, current, bucketSeconds, prefix);
    const last = (seconds: number) => buckets.slice(-Math.max(1, Math.round(seconds / bucketSeconds)));
    const covered = (bs: RawBucket[]) => Math.max(1, now / 1000 - bs[0]!.index * bucketSeconds);

    const windows = windowsMinutes.map((minutes) => {
      const bs = last(minutes * 60);
      const completed = sum(bs, (b) => b.c);
      const coveredSec = covered(bs);
      return { minutes, coveredSec: round(coveredSec), completed, failed: sum(bs, (b) => b.ff), completedPerMinute: round((completed / coveredSec) * 60) };
    });
    const history = last(historyMinutes * 60).map((b) => ({
      at: new Date(b.index * bucketSeconds * 1000).toISOString(),
      completed: b.c,
      failed: b.ff,
      retried: b.fr,
      meanServiceSec: b.n > 0 ? round(b.ms / b.n / 1000) : null,
    }));

    const rate = last(rateMinutes * 60);
    let serviceBuckets = rate;
    if (sum(rate, (b) => b.n) === 0) serviceBuckets = last(fallbackMinutes * 60);
    const n = sum(serviceBuckets, (b) => b.n);
    const serviceSecPerJob = n > 0 ? sum(serviceBuckets, (b) => b.ms) / n / 1000 : null;

    const arrival = measureArrival(rate, backlog, now, covered(rate));
    const online = workers.map((w) => ({
      id: w.id,
      host: w.host,
      concurrency: positiveInt(w.info.concurrency) ?? 1,
      ...(w.info.encoders ? { encoders: w.info.encoders } : {}),
      lastBeatAt: w.lastBeatAt,
    }));
    return {
      queue: queueName,
      at: new Date(now).toISOString(),
      paused,
      counts: c,
      backlog,
      windows,
      history,
      serviceSecPerJob: serviceSecPerJob === null ? null : round(serviceSecPerJob),
      serviceSamples: n,
      ...arrival,
      workers: online,
      onlineConcurrency: sum(online, (w) => w.concurrency),
    };
  };

  return {
    read,
    queue: queueOf,
    async close() {
      await Promise.allSettled([...queues.values()].map((q) => q.close()));
      queues.clear();
    },
  };
}

/**
 * Arrivals over the window: every job that arrived since a backlog sample
 * has either left (completed or failed for good) or is still in the backlog,
 * so arrivals = departures since the sample + backlog now - backlog then.
 * The oldest sample in the window gives the longest, steadiest span.
 */
function measureArrival(
  buckets: RawBucket[],
  backlogNow: number,
  now: number,
  coveredSec: number,
): Pick<QueueStats, 'arrivalPerSec' | 'arrivalBasis' | 'arrivalSpanSec'> {
  for (let i = 0; i < buckets.length; i++) {
    const first = buckets[i]!.samples.find((s) => now - s.at >= 1_000);
    if (!first) continue;
    const departures = buckets[i]!.c + buckets[i]!.ff - first.departures + sum(buckets.slice(i + 1), (b) => b.c + b.ff);
    const spanSec = (now - first.at) / 1000;
    const arrivals = departures + backlogNow - first.backlog;
    return { arrivalPerSec: round(Math.max(0, arrivals) / spanSec), arrivalBasis: 'backlog', arrivalSpanSec: round(spanSec) };
  }
  const departures = sum(buckets, (b) => b.c + b.ff);
  if (departures === 0) return { arrivalPerSec: null, arrivalBasis: 'none', arrivalSpanSec: 0 };
  return { arrivalPerSec: round(departures / coveredSec), arrivalBasis: 'completions', arrivalSpanSec: round(coveredSec) };
}

async function readBuckets(redis: Redis, queueName: string, from: number, to: number, bucketSeconds: number, prefix: string): Promise<RawBucket[]> {
  const pipeline = redis.pipeline();
  for (let i = from; i <= to; i++) pipeline.hgetall(statsBucketKey(queueName, bucketSeconds, i, prefix));
  const replies = (await pipeline.exec()) ?? [];
  return replies.map(([err, value], k) => {
    if (err) throw err;
    const h = (value ?? {}) as Record<string, string>;
    const samples = [h.s0, h.s1].filter((s): s is string => Boolean(s)).map(parseSample);
    return { index: from + k, c: num(h.c), ff: num(h.ff), fr: num(h.fr), n: num(h.n), ms: num(h.ms), samples };
  });
}

function parseSample(text: string): { backlog: number; at: number; departures: number } {
  const [backlog, at, departures] = text.split(':').map(Number);
  return { backlog: backlog ?? 0, at: at ?? 0, departures: departures ?? 0 };
}

function num(v: string | undefined): number {
  const n = Number(v);
  return Number.isFinite(n) ? n : 0;
}

function positiveInt(v: string | undefined): number | undefined {
  const n = Number(v);
  return Number.isInteger(n) && n > 0 ? n : undefined;
}

function sum<T>(items: T[], f: (item: T) => number): number {
  return items.reduce((acc, item) => acc + f(item), 0);
}

function round(n: number): number {
  return Math.round(n * 1000) / 1000;
}
