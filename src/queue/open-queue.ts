import { Queue, QueueEvents } from 'bullmq';
import type { Redis, RedisOptions } from 'ioredis';
import { QUEUE_PREFIX, queueNames } from './queue-names.js';
import { closeRedisConnection, createRedisConnection } from './redis-connection.js';
import { resolveRenderJobOptions, type RenderJobOptions, type RenderJobOptionsInput } from './render-job-options.js';

export interface QueueHandleOptions {
  redisUrl: string;
  /** Default `render`; tests use a unique name per test. */
  queueName?: string;
  /** Default QUEUE_PREFIX (`{mastercut}`, a Redis Cluster hash tag). */
  prefix?: string;
  jobOptions?: RenderJobOptionsInput;
  /** Also open QueueEvents (waitForRender wakes up on them). Default true. */
  events?: boolean;
  /** ioredis options of the queue's (non-blocking) connection, e.g. fail-fast settings for the API. */
  redisOptions?: RedisOptions;
  /** Connection errors (Redis down); they also surface on the calls themselves. */
  onError?: (err: Error) => void;
}

/** A producer-side handle on one of the farm's queues. */
export interface QueueHandle<D> {
  queue: Queue<D>;
  events?: QueueEvents;
  /** The resolved options every job is added with; pass to prepareRenderJob. */
  jobOptions: RenderJobOptions;
  queueName: string;
  prefix: string;
  /** The connection the queue uses (also fine for the output index). */
  connection: Redis;
  close(): Promise<void>;
}

/**
 * Opens one of the farm's queues (render by default) for producers (API,
 * campaigns, CLI). The queue's default job options are the same resolved
 * options prepared jobs use, so a job added without options still retries
 * and still expires. `D` is the job data type; src/renders names it for the
 * render queue (createRenderQueue).
 */
export function openQueue<D>(options: QueueHandleOptions): QueueHandle<D> {
  const queueName = options.queueName ?? queueNames.render;
  const prefix = options.prefix ?? QUEUE_PREFIX;
  const jobOptions = resolveRenderJobOptions(options.jobOptions);
  const connection = createRedisConnection(options.redisUrl, options.redisOptions);
  const queue = new Queue<D>(queueName, { connection, prefix, defaultJobOptions: jobOptions });
  // QueueEvents blocks on XREAD: it needs a connection of its own that waits
  // forever (maxRetriesPerRequest null), whatever the queue's settings are.
  const eventsConnection = options.events === false ? undefined : createRedisConnection(options.redisUrl);
  const events = eventsConnection ? new QueueEvents(queueName, { connection: eventsConnection, prefix }) : undefined;
  // An 'error' event without a listener would crash the process.
  const onError = options.onError ?? (() => undefined);
  queue.on('error', onError);
  events?.on('error', onError);
  connection.on('error', onError);
  eventsConnection?.on('error', onError);

  return {
    queue,
    events,
    jobOptions,
    queueName,
    prefix,
    connection,
    async close() {
      await Promise.allSettled([queue.close(), events?.close()]);
      await Promise.allSettled([closeRedisConnection(connection), eventsConnection && closeRedisConnection(eventsConnection)]);
    },
  };
}
