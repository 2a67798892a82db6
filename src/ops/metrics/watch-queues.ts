import { Gauge, type Registry } from 'prom-client';
import { metricLabels, metricNames, QUEUE_STATES } from './metric-names.js';

/** A BullMQ Queue fits: its name and its job counts. */
export interface QueueCountSource {
  name: string;
  getJobCounts(...types: string[]): Promise<Record<string, number>>;
}

export interface WatchQueuesOptions {
  /** Longest a scrape waits for one queue's counts. Default 2 s. */
  timeoutMs?: number;
}

/**
 * `mastercut_queue_jobs{queue,state}`, read from Redis on every scrape (one
 * round trip per queue) rather than on a timer, so an idle farm costs
 * nothing and a scrape never shows stale numbers. A queue whose counts
 * cannot be read (Redis down, timeout) has no series in that scrape: a
 * missing series is an honest "unknown", a stale one would not be.
 * Registered once per registry; calling again replaces the queue list.
 */
export function watchQueues(registry: Registry, queues: readonly QueueCountSource[], options: WatchQueuesOptions = {}): void {
  const timeoutMs = options.timeoutMs ?? 2_000;
  const existing = registry.getSingleMetric(metricNames.queueJobs);
  if (existing) registry.removeSingleMetric(metricNames.queueJobs);
  new Gauge({
    name: metricNames.queueJobs,
    help: 'Jobs per queue and state (BullMQ getJobCounts), read on scrape.',
    labelNames: metricLabels.queueJobs,
    registers: [registry],
    async collect() {
      this.reset();
      const results = await Promise.allSettled(queues.map((queue) => withTimeout(queue.getJobCounts(...QUEUE_STATES), timeoutMs)));
      results.forEach((result, i) => {
        if (result.status !== 'fulfilled') return;
        const queue = queues[i]!.name;
        for (const state of QUEUE_STATES) this.set({ queue, state }, result.value[state] ?? 0);
      });
    },
  });
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
