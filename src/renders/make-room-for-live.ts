import { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import { priorities, QUEUE_PREFIX, type JobWorker } from '../queue/index.js';
import { redisKeys } from '../redis/index.js';
import type { RenderJobData } from './render-job.schema.js';
import type { RenderJobResult } from './render-job-context.js';

export interface MakeRoomForLiveOptions {
  /** A Live render waiting this long with every slot here busy puts a campaign render back. */
  afterMs: number;
  /** How often the head of the queue is looked at. Default 250 ms. */
  intervalMs?: number;
  queueName: string;
  prefix?: string;
  log?: { info(obj: object, msg?: string): void };
}

/**
 * Live renders run first (priority), but only once a slot frees: with every
 * slot on an 8 s campaign render, a viewer could wait a whole render. When
 * the queue's most urgent job is a Live render that has waited `afterMs`,
 * and every slot of this worker is busy with at least one campaign render,
 * the campaign render started last (the least work lost) goes back to the
 * queue with its priority and attempts untouched, and the freed slot takes
 * the Live render. One worker acts per Live job (a claim in Redis), so a
 * burst of workers does not all give up a render for the same viewer.
 * Returns a stop function.
 */
export function makeRoomForLive(worker: JobWorker<RenderJobData, RenderJobResult>, redis: Redis, concurrency: number, options: MakeRoomForLiveOptions): () => Promise<void> {
  const queue = new Queue(options.queueName, { connection: redis, prefix: options.prefix ?? QUEUE_PREFIX });
  let busy = false;
  const check = async () => {
    const running = [...worker.active()];
    const campaign = running.filter(([, job]) => job.priority > priorities.api).sort((a, b) => b[1].startedAt - a[1].startedAt);
    // A free slot here takes the Live job by itself; with no campaign render, there is nothing to give up.
    if (running.length < concurrency || campaign.length === 0) return;
    const [head] = await queue.getJobs(['prioritized'], 0, 0, true);
    if (!head?.id || (head.opts.priority ?? 0) > priorities.live || Date.now() - head.timestamp < options.afterMs) return;
    if ((await redis.set(redisKeys.livePreemption(head.id), '1', 'PX', Math.max(5_000, options.afterMs * 5), 'NX')) !== 'OK') return;
    const [victim] = campaign[0]!;
    if (worker.putBack(victim)) options.log?.info({ renderKey: victim, forRenderKey: head.id }, 'campaign render put back: a Live render was waiting');
  };
  const timer = setInterval(() => {
    if (busy) return;
    busy = true;
    check()
      .catch(() => undefined)
      .finally(() => (busy = false));
  }, options.intervalMs ?? 250);
  timer.unref();
  return async () => {
    clearInterval(timer);
    await queue.close();
  };
}
