/**
 * Webhook delivery worker process: `mastercut worker webhooks`, or
 * `node --import tsx workers/webhooks.ts [flags]` (same flags).
 *
 * Takes `webhooks` jobs (one engagement batch for one CRM endpoint), signs
 * them the Standard Webhooks way and POSTs them, retrying on
 * WEBHOOK_RETRY_SCHEDULE_S until SIGTERM/SIGINT. It needs no browser and
 * no ffmpeg: one small process serves many endpoints.
 */
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { pino, type Logger } from 'pino';
import { parseWebhookWorkerArgs, type WebhookWorkerProcessOptions } from './webhooks-args.js';
import { definedOnly } from './worker-args.js';
import { loadConfig } from '../src/config/index.js';
import { createWebhookWorker } from '../src/engagement/index.js';
import { AppError, runCli } from '../src/errors/index.js';
import {
  checkEvictionPolicy,
  closeRedisConnection,
  createRedisConnection,
  queueNames,
  startWorkerHeartbeat,
} from '../src/queue/index.js';
import { startProcessOps, createStatsRecorder } from '../src/ops/index.js';
import { onStopSignal } from './stop-signal.js';


/** Runs until a stop signal; resolves with the exit code. */
export async function runWebhookWorker(options: WebhookWorkerProcessOptions = {}): Promise<number> {
  const config = loadConfig();
  const log: Logger = pino({ level: config.logLevel, base: { service: 'webhook-worker', pid: process.pid } });
  if (!config.farm.redisUrl) throw new AppError('CONFIG_INVALID', 'REDIS_URL must be set for a webhook worker.');
  const graceMs = options.graceMs ?? config.worker.graceMs;
  const redis = createRedisConnection(config.farm.redisUrl);
  redis.on('error', (err) => log.warn({ err: { message: err.message } }, 'redis connection error'));
  const cleanups: (() => Promise<unknown>)[] = [() => closeRedisConnection(redis)];
  try {
    // Webhook deliveries and failures, job durations; /readyz checks Redis and its eviction policy.
    const ops = await startProcessOps({ redis, log }, { role: 'webhooks', port: options.metricsPort ?? config.metrics.port, host: config.metrics.host });
    cleanups.push(() => ops.close());
    await checkEvictionPolicy(redis, options.evictionCheck ?? config.worker.evictionCheck, log);
    if (config.webhooks.allowPrivateAddresses || config.webhooks.allowHttp) {
      log.warn({ allowHttp: config.webhooks.allowHttp, allowPrivate: config.webhooks.allowPrivateAddresses }, 'webhook URL guards relaxed: tests only');
    }
    const concurrency = options.concurrency ?? config.webhooks.concurrency;
    const queueName = options.queueName ?? queueNames.webhooks;
    const webhooks = createWebhookWorker(
      {
        redis,
        policy: { allowHttp: config.webhooks.allowHttp, allowPrivateAddresses: config.webhooks.allowPrivateAddresses },
        retryScheduleMs: config.webhooks.retryScheduleMs,
        disableAfterMs: config.webhooks.disableAfterMs,
        timeoutMs: config.webhooks.timeoutMs,
        log,
        onDelivery: (outcome) => {
          ops.metrics.onDelivery(outcome);
          options.onDelivery?.(outcome);
        },
      },
      {
        connection: redis,
        queueName,
        concurrency,
        lockDurationMs: options.lockDurationMs ?? config.worker.lockDurationMs,
        stalledIntervalMs: options.stalledIntervalMs ?? config.worker.stalledIntervalMs,
        // Failed jobs stay a week by default: their events are also in the dead letters.
        jobOptions: { completedRetentionSeconds: 86_400, failedRetentionSeconds: 7 * 86_400, ...definedOnly(options.jobOptions) },
        onAttemptFinished: ops.metrics.jobAttemptHook(queueName),
        // Service time and arrivals behind `mastercut ops status` and the scaling advice.
        recordQueueStats: createStatsRecorder(redis, { queueName }).hook,
      },
    );
    webhooks.worker.on('error', (err) => log.warn({ err: { message: err.message } }, 'worker error'));

    const heartbeat = startWorkerHeartbeat(redis, { role: 'webhooks', info: { concurrency, pid: process.pid, host: os.hostname() } });
    cleanups.push(() => heartbeat.stop());

    const stopped = onStopSignal();
    webhooks.run();
    log.info({ queue: queueName, concurrency, graceMs }, 'webhook worker ready');
    const signal = await stopped.first;
    ops.draining();
    log.info({ signal, graceMs }, 'stopping: no new deliveries, active ones get the grace period');
    void stopped.second.then(() => webhooks.abortActive());
    const { returned } = await webhooks.shutdown(graceMs);
    log.info({ returned }, 'webhook worker stopped');
    return 0;
  } finally {
    for (const fn of cleanups.reverse()) await fn().catch((err: unknown) => log.warn({ err: String(err) }, 'cleanup failed'));
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) {
  process.exit(await runCli((argv) => runWebhookWorker(parseWebhookWorkerArgs(argv)), process.argv.slice(2)));
}
