/**
 * Render worker process: `mastercut worker render --concurrency N`, or
 * `node --import tsx workers/render.ts [flags]` (same flags).
 *
 * Wires config, Redis, the render engine, the file store, the output index
 * and the campaign hooks, warms the browsers, then takes render jobs until
 * SIGTERM/SIGINT. Logs are pino JSON on stdout; props are never logged.
 */
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { pino, type Logger } from 'pino';
import { createOutputIndex, createRenderQueue, createRenderWorker, createDeliverableRelease, idleRenderSlots, createCaptureProfiles, RENDER_CHUNK_JOB_NAME, renderOutputKey, type RenderJobData, type TranscodeJobData, createRenderStreamWriter } from '../src/renders/index.js';
import { campaignCompletedEvent, createCampaignHooks, settleDeliverable } from '../src/campaigns/index.js';
import { createDeliveryTracker, createEventIngest, createWebhookDispatcher, type WebhookJobData } from '../src/engagement/index.js';
import { parseRenderWorkerArgs, type RenderWorkerProcessOptions } from './render-args.js';
import { definedOnly } from './worker-args.js';
import { createRenderEngine, type RenderEngineOverrides } from '../src/pipeline/index.js';
import { loadConfig } from '../src/config/index.js';
import { AppError, runCli } from '../src/errors/index.js';
import { redisNowMs } from '../src/redis/index.js';
import { checkEvictionPolicy, closeRedisConnection, createRedisConnection, queueNames, resolveRenderJobOptions, startWorkerHeartbeat, sweepFinishedJobs } from '../src/queue/index.js';
import { wasKeyErasedSince } from '../src/live/index.js';
import { createObjectStore } from '../src/storage/index.js';
import { createBrowserPoolCheck, createFfmpegCheck, startProcessOps, createStatsRecorder } from '../src/ops/index.js';
import { createPrivateWorkDir } from './private-work-dir.js';
import { onStopSignal } from './stop-signal.js';


/** Runs until a stop signal; resolves with the exit code. */
export async function runRenderWorker(
  options: RenderWorkerProcessOptions = {},
  /** The templates it renders (default: compositions/); bench/split-render-queue.ts adds a 30 s one. */
  engineOverrides: Pick<RenderEngineOverrides, 'registry'> = {},
): Promise<number> {
  const config = loadConfig();
  const log: Logger = pino({ level: config.logLevel, base: { service: 'render-worker', pid: process.pid } });
  if (!config.farm.redisUrl) throw new AppError('CONFIG_INVALID', 'REDIS_URL must be set for a render worker.');
  const concurrency = options.concurrency ?? config.worker.concurrency;
  const graceMs = options.graceMs ?? config.worker.graceMs;
  const jobOptionsInput = { ...config.jobs, ...definedOnly(options.jobOptions) };
  // Everything the configuration can get wrong is found before anything connects or
  // listens: job options, the store's settings, the binaries and the sandbox (a trial launch).
  const jobOptions = resolveRenderJobOptions(jobOptionsInput);
  const store = createObjectStore(config);
  // One job uses every browser of the pool (its frames are split across them), so a
  // worker with concurrency 1 still uses every core.
  const engine = await createRenderEngine(config, {
    ...engineOverrides,
    poolSize: Math.max(concurrency, config.render.poolSize),
    onLaunchError: (err, { failures, retryInMs }) => log.warn({ err: { message: err.message }, failures, retryInMs }, 'browser launch failed'),
  });
  log[engine.sandbox.enabled ? 'info' : 'warn']({ chromiumSandbox: engine.sandbox.enabled, sandboxReason: engine.sandbox.reason }, 'chromium sandbox decided');

  const redis = createRedisConnection(config.farm.redisUrl);
  redis.on('error', (err) => log.warn({ err: { message: err.message } }, 'redis connection error'));
  const cleanups: (() => Promise<unknown>)[] = [() => engine.close(), () => closeRedisConnection(redis)];
  const cleanup = async () => {
    for (const fn of cleanups.reverse()) await fn().catch((err: unknown) => log.warn({ err: String(err) }, 'cleanup failed'));
  };

  try {
    // First, so liveness answers while browsers warm; readiness says what is still missing.
    const ops = await startProcessOps({ redis, log }, { role: 'render', port: options.metricsPort ?? config.metrics.port, host: config.metrics.host });
    cleanups.push(() => ops.close());
    ops.readiness.pending('ffmpeg', 'not checked yet');
    await checkEvictionPolicy(redis, options.evictionCheck ?? config.worker.evictionCheck, log);
    // Browsers and bundles are ready before the first job is taken, so the
    // first job's lock is not spent launching Chromium. A launch that fails is
    // logged and tried again; readiness says why meanwhile.
    ops.readiness.set('browsers', createBrowserPoolCheck(engine.pool, engine.sandbox));
    await engine.pool.warm();
    await Promise.all(engine.registry.list().map((t) => engine.registry.bundle(t.id)));
    ops.metrics.watchBrowserPool(engine.pool);
    const ffmpegCheck = createFfmpegCheck({ ffmpegPath: engine.ffmpegPath });
    await ffmpegCheck.prime();
    ops.readiness.set('ffmpeg', ffmpegCheck);

    const work = await createPrivateWorkDir(options.workDir, 'w');
    const workDir = work.dir;
    cleanups.push(() => work.remove());

    // `campaign.completed` goes to the CRM webhooks (the sink is built below; called only once jobs run).
    const completed = async (id: string) => webhookSink([await campaignCompletedEvent(redis, id)]);
    const hooks = createCampaignHooks(redis, { onError: (err) => log.warn({ err: String(err) }, 'campaign count failed'), onCompleted: completed });
    const transcodeQueue = createRenderQueue<TranscodeJobData>({ redisUrl: config.farm.redisUrl, queueName: queueNames.transcode, events: false });
    cleanups.push(() => transcodeQueue.close());
    const deliverables = createDeliverableRelease(redis, { queue: transcodeQueue.queue, jobOptions });
    // Campaign recipients waiting on this master get their `delivered` events
    // (src/engagement), which go on to the CRM webhooks like any other event.
    const webhookQueue = createRenderQueue<WebhookJobData>({ redisUrl: config.farm.redisUrl, queueName: queueNames.webhooks, events: false });
    cleanups.push(() => webhookQueue.close());
    const webhookSink = createWebhookDispatcher({ redis, queue: webhookQueue.queue }, { retryScheduleMs: config.webhooks.retryScheduleMs });
    const ingest = createEventIngest({ redis, logger: log, sinks: [webhookSink] }, config.events);
    const deliveries = createDeliveryTracker({ redis, ingest, logger: log });
    // A published master hands its wanted deliverables to the transcode queue.
    const onRendered = async (data: RenderJobData, renderKey: string, cached?: boolean) => {
      await hooks.onRendered(data, renderKey, cached);
      await deliveries.onRendered(renderKey, data).catch((err: unknown) => log.warn({ err: String(err) }, 'delivered events not recorded'));
      if (data.format === 'mp4') await deliverables.release(renderKey, renderOutputKey(renderKey, data.format));
    };
    // A producer-side handle on this worker's own queue: the sweep of finished jobs, and the split's idle check.
    const sweeper = createRenderQueue({ redisUrl: config.farm.redisUrl, queueName: options.queueName, events: false });
    cleanups.push(() => sweeper.close());
    const renderAttempt = ops.metrics.jobAttemptHook(options.queueName ?? queueNames.render);
    const chunkAttempt = ops.metrics.chunkAttemptHook();
    const queueStats = createStatsRecorder(redis, { queueName: options.queueName ?? queueNames.render });
    const render = createRenderWorker(
      {
        // Frames captured/reused and fps of every finished render.
        renderVideo: async (request) => {
          const result = await engine.renderVideo(request);
          ops.metrics.observeRender(result, { chunk: request.chunk === true });
          return result;
        },
        store,
        index: createOutputIndex(redis, { doneTtlSeconds: config.outputIndex.doneTtlSeconds }),
        workDir,
        log,
        onRendered,
        // Live jobs stream their bytes for cold Live URLs; erased subjects are never published.
        openStream: (renderKey, attempt, startedAt) => createRenderStreamWriter(redis, renderKey, attempt, startedAt),
        wasErased: (renderKey, startedAt) => wasKeyErasedSince(redis, renderKey, startedAt),
        // Renders start on Redis's clock, the one erasures' key tombstones are written on.
        clock: () => redisNowMs(redis),
        // A master failed for good: its campaigns count its channel deliverables failed (none will be cut).
        onFailed: async (data, renderKey, error) => {
          await hooks.onFailed(data, renderKey, error);
          const keys = await deliverables.wantedKeys(renderKey).catch(() => []);
          for (const key of keys) {
            const done = await settleDeliverable(redis, key, 'failed').catch((err: unknown) => void log.warn({ err: String(err) }, 'campaign count failed'));
            for (const id of done ?? []) await completed(id).catch(() => undefined);
          }
        },
        // Whole MP4 masters and joins record their template version's capture profile; splits are cut by it.
        captureProfiles: createCaptureProfiles(redis),
        // Long masters are cut into chunk jobs that any render worker takes, then joined (docs/split-render.md).
        // Wired even with RENDER_SPLIT_CHUNKS=1 (no new split): a master another worker split is still joined here.
        split: {
          options: config.render.split,
          frameCount: (templateId: string) => engine.registry.get(templateId).durationInFrames,
          joinChunks: engine.joinChunks,
          // A Live master that streams renders its first chunk itself and streams the others as they come.
          openChunkStream: engine.openChunkStream,
          streamWaitMs: config.render.splitStreamWaitMs,
          // One chunk per idle render slot (heartbeats less active jobs), none while other renders wait.
          idleSlots: () => idleRenderSlots(redis, sweeper.queue),
          store,
        },
      },
      {
        connection: redis,
        queueName: options.queueName,
        concurrency,
        // A Live render waiting behind busy slots takes the place of a campaign render (put back, not failed).
        livePreemptAfterMs: config.render.livePreemptAfterMs,
        lockDurationMs: options.lockDurationMs ?? config.worker.lockDurationMs,
        stalledIntervalMs: options.stalledIntervalMs ?? config.worker.stalledIntervalMs,
        jobOptions: jobOptionsInput,
        // A chunk of a split render is part of a render, not one: its attempts have their own
        // histogram, and the completions and service times count the master once (docs/split-render.md).
        onAttemptFinished: (attempt) => (attempt.jobName === RENDER_CHUNK_JOB_NAME ? chunkAttempt : renderAttempt)(attempt),
        // Completions and service times for `mastercut ops status` and the scaling signal: a chunk's
        // time is part of its master's work (slot-seconds per render), not a completion of its own.
        recordQueueStats: (attempt) => queueStats.hook({ ...attempt, part: attempt.jobName === RENDER_CHUNK_JOB_NAME }),
      },
    );
    render.worker.on('error', (err) => log.warn({ err: { message: err.message } }, 'worker error'));
    render.worker.on('failed', (job, err) =>
      log.warn({ renderKey: job?.id, attempt: job?.attemptsMade, err: { message: err.message } }, 'job failed'),
    );
    render.worker.on('active', (job) => log.info({ renderKey: job.id, attempt: job.attemptsMade + 1 }, 'render started'));
    render.worker.on('stalled', (jobId) => log.warn({ renderKey: jobId }, 'stalled job moved back to wait'));

    const sweep = () => void sweepFinishedJobs(sweeper.queue, jobOptions).catch(() => undefined);
    const sweepTimer = setInterval(sweep, options.sweepIntervalMs ?? 300_000);
    sweepTimer.unref();
    cleanups.push(async () => clearInterval(sweepTimer));

    const heartbeat = startWorkerHeartbeat(redis, { role: 'render', info: { concurrency, queue: options.queueName ?? queueNames.render, pid: process.pid, host: os.hostname() } });
    cleanups.push(() => heartbeat.stop());

    const stopped = onStopSignal();
    render.run();
    log.info({ concurrency, queue: options.queueName ?? 'render', graceMs, chromiumSandbox: engine.sandbox.enabled, sandboxReason: engine.sandbox.reason }, 'render worker ready');

    const signal = await stopped.first;
    ops.draining();
    log.info({ signal, graceMs }, 'stopping: no new jobs, active ones get the grace period');
    // A second signal skips what is left of the grace period.
    void stopped.second.then(() => render.abortActive());
    const { returned } = await render.shutdown(graceMs);
    log.info({ returned }, 'render worker stopped');
    return 0;
  } finally {
    await cleanup();
  }
}

// Run as a process entry point (not when imported by the CLI).
if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) {
  // Exit explicitly: everything is closed by now, and a stray handle must not keep a stopped worker alive.
    process.exit(await runCli((argv) => runRenderWorker(parseRenderWorkerArgs(argv)), process.argv.slice(2)));
}
