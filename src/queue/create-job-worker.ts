import { Queue, UnrecoverableError, WaitingError, Worker, type BackoffStrategy, type Job } from 'bullmq';
import type { Redis } from 'ioredis';
import { CancelledError, isAppError } from '../errors/index.js';
import { isWaitingForChildren, jobChildren, lazyQueue, type JobChildren } from './job-children.js';
import { QUEUE_PREFIX } from './queue-names.js';
import { resolveRenderJobOptions, type RenderJobOptionsInput } from './render-job-options.js';

export interface JobWorkerOptions {
  /** Must have `maxRetriesPerRequest: null` (createRedisConnection). */
  connection: Redis;
  queueName?: string;
  prefix?: string;
  /** Jobs rendered at once by this process. Default 1. */
  concurrency?: number;
  /** A job's lock lives this long without renewal; BullMQ renews it every half. Default 30 s. */
  lockDurationMs?: number;
  /** How often this worker looks for jobs whose worker died. Default 30 s. */
  stalledIntervalMs?: number;
  /** Retention applied when a job finishes, even if it was added without options. */
  jobOptions?: RenderJobOptionsInput;
  /** Default false: call `run()` (after warming up) to start taking jobs. */
  autorun?: boolean;
  /** BullMQ custom backoff, used by jobs added with a backoff type that is not built in (webhooks). */
  backoffStrategy?: BackoffStrategy;
  /**
   * Optional: told of every finished attempt (completed, failed for good, or
   * failed and retried) with its processing time; ops queue stats record it
   * (src/ops/queue-stats). Called without waiting; it must not throw.
   */
  onAttemptFinished?: (attempt: FinishedAttempt) => void;
  /**
   * Optional, separate from onAttemptFinished (which the metrics use): the
   * ops queue-stats recorder (src/ops/queue-stats createStatsRecorder), fed
   * the same attempts. Called without waiting; it must not throw.
   */
  recordQueueStats?: (attempt: FinishedAttempt) => void;
}

/** One finished attempt of a job: its outcome and processing time. */
export interface FinishedAttempt {
  /** completed; failed for good; or failed and retried later. */
  outcome: 'completed' | 'failed' | 'retried';
  durationMs: number;
  /** The job's name: a queue may hold jobs of several kinds (the render queue: masters and chunk jobs of split renders). */
  jobName: string;
}

/** A job as processors see it: BullMQ's Job reduced to what they read (a test object fits too). */
export interface JobLike<P = never> {
  id?: string;
  data: unknown;
  /** Tries already failed before this one. */
  attemptsMade: number;
  /** Total tries allowed. */
  attempts: number;
  signal?: AbortSignal;
  updateProgress?: (progress: P) => Promise<void> | void;
  /** The job's children (a split render fans its chunks out as child jobs); absent outside a worker. */
  children?: JobChildren;
}

/** Where processors log (pino fits). */
export interface JobLogger {
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
}

export interface JobWorker<D, R> {
  worker: Worker<D, R>;
  /** Starts taking jobs (resolves once the worker is running). */
  run(): void;
  /**
   * Stops taking jobs and lets active ones finish for up to `graceMs`; jobs
   * still running then are aborted and put back in the queue, untouched by
   * their attempt count. Resolves when the worker is closed.
   */
  shutdown(graceMs: number): Promise<{ returned: number }>;
  /** Aborts every active job now and puts it back in the queue (a second SIGTERM). */
  abortActive(): void;
  /** Jobs running in this process now, by id: their priority (lower runs first) and start time. */
  active(): ReadonlyMap<string, { priority: number; startedAt: number }>;
  /**
   * Aborts one active job and puts it back in the queue, untouched by its
   * attempt count and keeping its priority, so that the slot takes a more
   * urgent job. Returns false when the job is not running here.
   */
  putBack(jobId: string): boolean;
}

const SHUTDOWN = 'shutdown';
const LOCK_LOST = 'lock-lost';
const PUT_BACK = 'put-back';

/**
 * Whether a job aborted with this signal goes back to wait (shutdown, or put
 * back for a Live render) rather than to another worker (a lost lock): its
 * processor may then say so in its own records.
 */
export function returnsToQueue(signal: AbortSignal | undefined): boolean {
  return Boolean(signal?.aborted && (signal.reason === SHUTDOWN || signal.reason === PUT_BACK));
}

/**
 * Adapts a processor (a plain function of a JobLike) to a BullMQ Worker:
 * - a non-retryable AppError becomes UnrecoverableError (failed at once, no retries);
 * - a lock that cannot be renewed aborts the job (another worker owns it now);
 * - shutdown aborts what outlives the grace period and moves it back to wait.
 */
export function createJobWorker<D, R, P extends object = never>(
  process: (job: JobLike<P>) => Promise<R>,
  options: JobWorkerOptions & { queueName: string },
): JobWorker<D, R> {
  const retention = resolveRenderJobOptions(options.jobOptions);
  let returned = 0;
  const prefix = options.prefix ?? QUEUE_PREFIX;
  // Children are added through a producer handle on the same queue, opened on first use.
  const childQueue = lazyQueue(() => new Queue(options.queueName, { connection: options.connection, prefix }));

  // Three declared parameters: BullMQ only creates an AbortSignal per job
  // for processors whose arity is at least 3.
  const running = new Map<string, { priority: number; startedAt: number }>();
  const processor = async (job: Job<D, R>, token: string | undefined, signal: AbortSignal | undefined) => {
    if (job.id) running.set(job.id, { priority: job.opts.priority ?? 0, startedAt: Date.now() });
    try {
      return await process({
        id: job.id,
        data: job.data,
        attemptsMade: job.attemptsMade,
        attempts: job.opts.attempts ?? 1,
        signal,
        updateProgress: (progress: P) => job.updateProgress(progress),
        children: jobChildren(job, token, childQueue.get),
      });
    } catch (err) {
      // Parked until its children are done: BullMQ's own signal, not a failure.
      if (isWaitingForChildren(err)) throw err;
      if (returnsToQueue(signal) && token) {
        // Back to the queue as if never started: nothing is lost, and the
        // next worker renders it from the beginning.
        await job.moveToWait(token);
        if (signal!.reason === SHUTDOWN) returned++;
        throw new WaitingError();
      }
      if (signal?.aborted && signal.reason === LOCK_LOST) {
        // Another worker took the job over; finishing it here could only fail.
        throw new Error('job aborted: the job lock was lost');
      }
      if (isAppError(err) && !err.retryable) throw new UnrecoverableError(`${err.code}: ${err.message}`);
      if (err instanceof CancelledError) throw new Error(`job cancelled: ${err.message}`);
      throw err;
    } finally {
      if (job.id) running.delete(job.id);
    }
  };

  const worker = new Worker<D, R>(options.queueName, processor, {
    connection: options.connection,
    prefix,
    concurrency: options.concurrency ?? 1,
    lockDuration: options.lockDurationMs ?? 30_000,
    stalledInterval: options.stalledIntervalMs ?? 30_000,
    removeOnComplete: retention.removeOnComplete,
    removeOnFail: retention.removeOnFail,
    autorun: options.autorun ?? false,
    ...(options.backoffStrategy ? { settings: { backoffStrategy: options.backoffStrategy } } : {}),
  });
  worker.on('lockRenewalFailed', (jobIds) => {
    for (const id of jobIds) worker.cancelJob(id, LOCK_LOST);
  });
  const hooks = [options.onAttemptFinished, options.recordQueueStats].filter((h) => h !== undefined);
  if (hooks.length > 0) {
    const onAttempt = (attempt: FinishedAttempt) => {
      for (const hook of hooks) hook(attempt);
    };
    // processedOn is when this attempt became active; finishedOn is set only once the job is done for good.
    const took = (job: Job) => (job.finishedOn ?? Date.now()) - (job.processedOn ?? Date.now());
    worker.on('completed', (job) => onAttempt({ outcome: 'completed', durationMs: took(job), jobName: job.name }));
    worker.on('failed', (job) => job && onAttempt({ outcome: job.finishedOn ? 'failed' : 'retried', durationMs: took(job), jobName: job.name }));
  }

  return {
    worker,
    run() {
      void worker.run().catch((err: unknown) => worker.emit('error', err as Error));
    },
    async shutdown(graceMs) {
      const timer = setTimeout(() => worker.cancelAllJobs(SHUTDOWN), Math.max(0, graceMs));
      try {
        await worker.close();
      } finally {
        clearTimeout(timer);
        await childQueue.close();
      }
      return { returned };
    },
    abortActive() {
      worker.cancelAllJobs(SHUTDOWN);
    },
    active: () => running,
    putBack(jobId) {
      return running.has(jobId) && worker.cancelJob(jobId, PUT_BACK);
    },
  };
}
