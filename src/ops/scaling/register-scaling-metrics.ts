import { Gauge, type Registry } from 'prom-client';
import type { QueueStats } from '../queue-stats/index.js';
import { adviseQueue, type QueueAdvice } from './advise-queue.js';
import type { ScalingOptions } from './scaling-options.js';

export interface ScalingMetricsDeps {
  /** Reads one queue's stats (createQueueStats(...).read). */
  readStats: (queueName: string) => Promise<QueueStats>;
  /** Queues to advise on, e.g. Object.values(queueNames). */
  queues: readonly string[];
  options: ScalingOptions;
  /** A queue whose stats cannot be read (Redis down) keeps its last values; told here. */
  onError?: (queueName: string, err: unknown) => void;
}

/** The gauges, for tests and for callers that want to read them directly. */
export interface ScalingMetrics {
  recommendedWorkers: Gauge<'queue'>;
  drainSeconds: Gauge<'queue'>;
  /** Advice of the last scrape, per queue. */
  lastAdvice(): ReadonlyMap<string, QueueAdvice>;
}

/**
 * Registers the scaling signal on `registry`, computed on each scrape:
 *
 * - `mastercut_recommended_workers{queue}`: workers that clear the queue's
 *   backlog within the target drain time while absorbing its arrivals
 *   (recommendWorkers). An autoscaler (KEDA's Prometheus scaler, HPA on an
 *   external metric) scales the deployment towards it.
 * - `mastercut_queue_drain_seconds{queue}`: time to empty the backlog with
 *   the workers online now; +Inf when they fall behind; absent while
 *   unknown (no service time measured yet).
 * - `mastercut_queue_arrival_per_second{queue}` and
 *   `mastercut_queue_service_seconds{queue}`: the measured inputs.
 *
 * All four gauges are filled by one read of each queue per scrape; a value
 * that is not measured yet is left out rather than exported as NaN.
 */
export function registerScalingMetrics(registry: Registry, deps: ScalingMetricsDeps): ScalingMetrics {
  const last = new Map<string, QueueAdvice>();
  let scrape: Promise<void> | undefined;
  const inputs = { arrival: new Map<string, number | null>(), service: new Map<string, number | null>() };

  // Several gauges collect on one scrape: the first starts the read, the
  // others wait on the same promise, and it is dropped once settled.
  const refresh = (): Promise<void> =>
    (scrape ??= (async () => {
      await Promise.all(
        deps.queues.map(async (queue) => {
          try {
            const stats = await deps.readStats(queue);
            last.set(queue, adviseQueue(stats, deps.options));
            inputs.arrival.set(queue, stats.arrivalPerSec);
            inputs.service.set(queue, stats.serviceSecPerJob);
          } catch (err) {
            deps.onError?.(queue, err);
          }
        }),
      );
    })().finally(() => {
      scrape = undefined;
    }));

  const recommendedWorkers = new Gauge({
    name: 'mastercut_recommended_workers',
    help: 'Worker processes that drain the queue within the target drain time at the measured arrival rate and service time',
    labelNames: ['queue'] as const,
    registers: [registry],
    async collect() {
      await refresh();
      this.reset();
      for (const [queue, advice] of last) this.set({ queue }, advice.workers);
    },
  });
  const drainSeconds = new Gauge({
    name: 'mastercut_queue_drain_seconds',
    help: 'Seconds to empty the backlog with the workers online now (+Inf: never at the current rates)',
    labelNames: ['queue'] as const,
    registers: [registry],
    async collect() {
      await refresh();
      this.reset();
      for (const [queue, advice] of last) if (advice.drainSec !== null) this.set({ queue }, advice.drainSec);
    },
  });
  new Gauge({
    name: 'mastercut_queue_arrival_per_second',
    help: 'Jobs arriving per second (completions plus backlog growth over the last 15 minutes)',
    labelNames: ['queue'] as const,
    registers: [registry],
    async collect() {
      await refresh();
      this.reset();
      for (const [queue, v] of inputs.arrival) if (v !== null) this.set({ queue }, v);
    },
  });
  new Gauge({
    name: 'mastercut_queue_service_seconds',
    help: 'Mean processing time of a job over the last 15 minutes (the last hour when idle)',
    labelNames: ['queue'] as const,
    registers: [registry],
    async collect() {
      await refresh();
      this.reset();
      for (const [queue, v] of inputs.service) if (v !== null) this.set({ queue }, v);
    },
  });
  return { recommendedWorkers, drainSeconds, lastAdvice: () => last };
}
