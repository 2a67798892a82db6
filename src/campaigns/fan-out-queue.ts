import type { Redis } from 'ioredis';
import { closeRedisConnection, createJobWorker, FAN_OUT_QUEUE, openQueue, type JobWorker } from '../queue/index.js';
import { assertCampaignId } from './campaign-id.js';

export interface FanOutQueueOptions {
  redisUrl: string;
  /** Tests give each run a queue of its own. Default `campaign-fanout`. */
  queueName?: string;
  /**
   * Campaigns fanned out at once by one process. Default 16: a fan-out mostly waits for room in
   * its window, and every campaign fed at once takes its turn in the render queue.
   */
  concurrency?: number;
  /** A fan-out whose process died is taken over after about this long. Default 30 s. */
  lockDurationMs?: number;
  onError?: (err: Error) => void;
}

/**
 * The durable fan-out: one BullMQ job per campaign (job id = campaign id, so
 * scheduling twice is once) on a queue of its own, taken by any API process.
 * Why a BullMQ job rather than a loop of our own: its lock and stalled-job
 * check already hand the job of a process killed mid-file to another one
 * (or to the same one restarted), and DESIGN.md rules out a home-made
 * scheduler. The job itself holds nothing: the campaign's checkpoint
 * (commitFanOutChunk) says where to resume, so a re-run is always safe.
 */
export function createFanOutQueue(options: FanOutQueueOptions) {
  const queueName = options.queueName ?? FAN_OUT_QUEUE;
  // Retried with backoff through a Redis outage or a crash; a campaign's own failure (bad row, missing file) is final.
  const handle = openQueue<{ campaignId: string }>({
    redisUrl: options.redisUrl,
    queueName,
    events: false,
    jobOptions: { attempts: 10, backoffDelayMs: 1_000 },
    ...(options.onError ? { onError: options.onError } : {}),
  });
  let worker: JobWorker<{ campaignId: string }, void> | undefined;
  // The worker blocks on its own connection; the queue's stays free for `schedule`.
  let workerConnection: Redis | undefined;
  return {
    queueName,
    /** Schedules the fan-out of a stored campaign. */
    async schedule(campaignId: string): Promise<void> {
      await handle.queue.add('fan-out', { campaignId }, { jobId: campaignId });
    },
    /**
     * Takes a scheduled fan-out back, so that this process runs it itself
     * (`mastercut campaign resume`). False while an API process runs it: the
     * campaign then needs nothing from the caller.
     */
    async withdraw(campaignId: string): Promise<boolean> {
      const job = await handle.queue.getJob(campaignId);
      if (!job) return true;
      if (await job.isActive()) return false;
      // A finished job under this id would make a later `schedule` a no-op.
      await job.remove();
      return true;
    },
    /** Starts taking fan-out jobs in this process; `run` is the campaign service's runFanOut. */
    start(run: (campaignId: string, signal?: AbortSignal) => Promise<void>): void {
      worker = createJobWorker<{ campaignId: string }, void>(
        async (job) => {
          const { campaignId } = job.data as { campaignId: unknown };
          assertCampaignId(campaignId);
          // A shutdown aborts the signal: the fan-out stops between chunks and the job goes back to wait.
          await run(campaignId, job.signal);
        },
        {
          connection: (workerConnection = handle.connection.duplicate()),
          queueName,
          concurrency: options.concurrency ?? 16,
          lockDurationMs: options.lockDurationMs ?? 30_000,
          stalledIntervalMs: options.lockDurationMs ?? 30_000,
          autorun: false,
        },
      );
      if (options.onError) worker.worker.on('error', options.onError);
      worker.run();
    },
    async close(): Promise<void> {
      await worker?.shutdown(5_000);
      if (workerConnection) await closeRedisConnection(workerConnection);
      await handle.close();
    },
  };
}

export type FanOutQueue = ReturnType<typeof createFanOutQueue>;
