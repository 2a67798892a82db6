/**
 * Transcode worker process: `mastercut worker transcode`, or
 * `node --import tsx workers/transcode.ts [flags]` (same flags).
 *
 * Detects the encoders once (a real one-frame encode per candidate), logs
 * them and publishes them in its Redis heartbeat, then cuts channel
 * deliverables from stored masters until SIGTERM/SIGINT. Render and
 * transcode workers scale separately: this one needs no browser.
 */
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { pino, type Logger } from 'pino';
import { campaignCompletedEvent, settleDeliverable } from '../src/campaigns/index.js';
import { createWebhookDispatcher, type WebhookJobData } from '../src/engagement/index.js';
import { createOutputIndex, createRenderQueue, createTranscodeSlots, createTranscodeWorker } from '../src/renders/index.js';
import { parseTranscodeWorkerArgs, type TranscodeWorkerProcessOptions } from './transcode-args.js';
import { definedOnly } from './worker-args.js';
import { loadConfig } from '../src/config/index.js';
import { describeCaps, detectEncoders, findFfmpeg, findFfprobe, transcodeDeliverable } from '../src/encode/index.js';
import { AppError, runCli } from '../src/errors/index.js';
import { checkEvictionPolicy, closeRedisConnection, createRedisConnection, queueNames, startWorkerHeartbeat } from '../src/queue/index.js';
import { createObjectStore } from '../src/storage/index.js';
import { createEncodersCheck, createFfmpegCheck, startProcessOps, createStatsRecorder } from '../src/ops/index.js';
import { createPrivateWorkDir } from './private-work-dir.js';
import { onStopSignal } from './stop-signal.js';


/** Runs until a stop signal; resolves with the exit code. */
export async function runTranscodeWorker(options: TranscodeWorkerProcessOptions = {}): Promise<number> {
  const config = loadConfig();
  const log: Logger = pino({ level: config.logLevel, base: { service: 'transcode-worker', pid: process.pid } });
  if (!config.farm.redisUrl) throw new AppError('CONFIG_INVALID', 'REDIS_URL must be set for a transcode worker.');
  const graceMs = options.graceMs ?? config.worker.graceMs;
  // What the configuration can get wrong (binaries, the store's settings) is found
  // before anything connects or listens.
  const [ffmpegPath, ffprobePath] = await Promise.all([
    findFfmpeg({ path: config.binaries.ffmpeg }),
    findFfprobe({ path: config.binaries.ffprobe }),
  ]);
  const store = createObjectStore(config);

  const redis = createRedisConnection(config.farm.redisUrl);
  redis.on('error', (err) => log.warn({ err: { message: err.message } }, 'redis connection error'));
  const cleanups: (() => Promise<unknown>)[] = [() => closeRedisConnection(redis)];
  try {
    // First, so liveness answers while encoders are probed; readiness says what is still missing.
    const ops = await startProcessOps({ redis, log }, { role: 'transcode', port: options.metricsPort ?? config.metrics.port, host: config.metrics.host });
    cleanups.push(() => ops.close());
    ops.readiness.pending('encoders', 'detecting');
    ops.readiness.pending('ffmpeg', 'not checked yet');
    await checkEvictionPolicy(redis, options.evictionCheck ?? config.worker.evictionCheck, log);
    const { caps, report } = await detectEncoders({
      ffmpegPath,
      mode: options.encoders ?? config.transcode.encoders,
      vaapiDevice: config.transcode.vaapiDevice,
    });
    const slots = createTranscodeSlots({
      caps,
      gpu: options.gpuConcurrency ?? config.transcode.gpuConcurrency,
      cpu: options.cpuConcurrency ?? config.transcode.cpuConcurrency,
      nvencSessions: config.transcode.nvencSessions,
    });
    const encoders = describeCaps(caps, report);
    log.info({ encoders, gpuSlots: slots.gpuSlots, concurrency: slots.concurrency }, 'encoders detected');
    ops.metrics.setEncoders(caps);
    ops.readiness.set('encoders', createEncodersCheck(encoders));
    const ffmpegCheck = createFfmpegCheck({ ffmpegPath });
    await ffmpegCheck.prime();
    ops.readiness.set('ffmpeg', ffmpegCheck);

    const work = await createPrivateWorkDir(options.workDir, 't');
    const workDir = work.dir;
    cleanups.push(() => work.remove());

    // The last deliverable of a campaign turns it done: `campaign.completed` goes to the CRM webhooks.
    const webhookQueue = createRenderQueue<WebhookJobData>({ redisUrl: config.farm.redisUrl, queueName: queueNames.webhooks, events: false });
    cleanups.push(() => webhookQueue.close());
    const webhookSink = createWebhookDispatcher({ redis, queue: webhookQueue.queue }, { retryScheduleMs: config.webhooks.retryScheduleMs });
    const transcode = createTranscodeWorker(
      {
        transcode: (input) => transcodeDeliverable({ ...input, ffmpegPath, ffprobePath }),
        store,
        index: createOutputIndex(redis, { doneTtlSeconds: config.outputIndex.doneTtlSeconds }),
        slots,
        workDir,
        log,
        // Campaigns waiting on this deliverable count it (a campaign is done when its channels are).
        onSettled: async (key, outcome) => {
          for (const id of await settleDeliverable(redis, key, outcome)) await webhookSink([await campaignCompletedEvent(redis, id)]);
        },
      },
      {
        connection: redis,
        queueName: options.queueName,
        lockDurationMs: options.lockDurationMs ?? config.worker.lockDurationMs,
        stalledIntervalMs: options.stalledIntervalMs ?? config.worker.stalledIntervalMs,
        jobOptions: { ...config.jobs, ...definedOnly(options.jobOptions) },
        onAttemptFinished: ops.metrics.jobAttemptHook(options.queueName ?? queueNames.transcode),
        // Completions and service times for `mastercut ops status` and the scaling signal.
        recordQueueStats: createStatsRecorder(redis, { queueName: options.queueName ?? queueNames.transcode }).hook,
      },
    );
    transcode.worker.on('error', (err) => log.warn({ err: { message: err.message } }, 'worker error'));
    transcode.worker.on('failed', (job, err) =>
      log.warn({ deliverableKey: job?.id, attempt: job?.attemptsMade, err: { message: err.message } }, 'job failed'),
    );

    const heartbeat = startWorkerHeartbeat(redis, {
      role: 'transcode',
      info: { encoders, gpuSlots: slots.gpuSlots, concurrency: slots.concurrency, pid: process.pid, host: os.hostname() },
    });
    cleanups.push(() => heartbeat.stop());

    const stopped = onStopSignal();
    transcode.run();
    log.info({ queue: options.queueName ?? 'transcode', graceMs }, 'transcode worker ready');
    const signal = await stopped.first;
    ops.draining();
    log.info({ signal, graceMs }, 'stopping: no new jobs, active ones get the grace period');
    void stopped.second.then(() => transcode.abortActive());
    const { returned } = await transcode.shutdown(graceMs);
    log.info({ returned }, 'transcode worker stopped');
    return 0;
  } finally {
    for (const fn of cleanups.reverse()) await fn().catch((err: unknown) => log.warn({ err: String(err) }, 'cleanup failed'));
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) {
  process.exit(await runCli((argv) => runTranscodeWorker(parseTranscodeWorkerArgs(argv)), process.argv.slice(2)));
}
