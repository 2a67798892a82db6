import { randomUUID } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, beforeEach } from 'vitest';
import { createOutputIndex, type OutputIndex, createRenderQueue, createRenderWorker, type RenderQueue, type RenderWorker, type RenderWorkerOptions, type RenderJobContext } from '../../../src/renders/index.js';
import { createDefaultRegistry } from '../../../src/pipeline/index.js';
import { CancelledError } from '../../../src/errors/index.js';
import type { RenderRequest, RenderResult } from '../../../src/pipeline/index.js';
import { createRedisKeys, type RedisKeys } from '../../../src/redis/index.js';
import { closeRedisConnection, createRedisConnection, type RenderJobOptionsInput } from '../../../src/queue/index.js';
import { createFileStore, type ObjectStore } from '../../../src/storage/index.js';
import type { TemplateRegistry } from '../../../src/templates/index.js';
import { startTestRedis, type EmbeddedRedis } from '../../helpers/redis-server.js';

export const repoRoot = path.resolve(import.meta.dirname, '../../..');

/** One registry for every test file: bundles are built once and cached on disk. */
export const registry: TemplateRegistry = createDefaultRegistry({ cacheDir: path.join(repoRoot, '.cache/test') });

export interface FakeRenderOptions {
  /** How long a render takes. Default 30 ms. */
  delayMs?: number;
  /** Errors thrown by the first calls, one per call. */
  failures?: Error[];
}

export interface FakeRender {
  renderVideo: RenderJobContext['renderVideo'];
  /** Every call: the templateId, the first prop value and when it started. */
  calls: { templateId: string; props: Record<string, unknown>; at: number }[];
  /** Calls that saw their signal fire. */
  aborted: number;
}

/**
 * A renderVideo stand-in that behaves like the real one at its boundary:
 * validates props with the real registry, honours the signal, reports
 * progress, writes a small file at `out`. Fast enough for queue tests.
 */
export function fakeRender(options: FakeRenderOptions = {}): FakeRender {
  const failures = [...(options.failures ?? [])];
  const state: FakeRender = {
    calls: [],
    aborted: 0,
    renderVideo: async (request: RenderRequest): Promise<RenderResult> => {
      const template = registry.get(request.templateId);
      const props = registry.validateProps(template, request.props) as Record<string, unknown>;
      state.calls.push({ templateId: request.templateId, props, at: Date.now() });
      const failure = failures.shift();
      if (failure) throw failure;
      const total = 10;
      const started = Date.now();
      for (let frame = 1; frame <= total; frame++) {
        await new Promise((r) => setTimeout(r, (options.delayMs ?? 30) / total));
        if (request.signal?.aborted) {
          state.aborted++;
          throw new CancelledError(String(request.signal.reason));
        }
        request.onProgress?.({ framesDone: frame, totalFrames: total, framesReused: 0, fps: 30, etaSeconds: 0, elapsedMs: Date.now() - started });
      }
      const body = `fake ${request.templateId} ${JSON.stringify(props)}`;
      await writeFile(request.out, body);
      return {
        outPath: request.out, format: request.format ?? 'mp4', templateId: request.templateId, templateVersion: 'fake',
        variant: request.variant ?? 'landscape', width: 16, height: 16, frames: total, framesCaptured: total, framesReused: 0, captureProfile: 'c'.repeat(total),
        browserRestarts: 0, timeToFirstFrameMs: 1, wallMs: Date.now() - started, fps: 30, bytes: body.length,
      };
    },
  };
  return state;
}

export interface QueueKit {
  queueName: string;
  /** Redis keys under a base of this kit's own. */
  keys: RedisKeys;
  rq: RenderQueue;
  redis: Redis;
  store: ObjectStore;
  index: OutputIndex;
  storeRoot: string;
  workDir: string;
  /** Deps for enqueueRender / getRenderStatus / waitForRender. */
  deps: { queue: RenderQueue['queue']; events: RenderQueue['events']; registry: TemplateRegistry; index: OutputIndex; store: ObjectStore; jobOptions: RenderQueue['jobOptions'] };
  /** A worker on the kit's queue; `paused` leaves it created but not taking jobs until `run()`. */
  startWorker(
    ctx: Partial<RenderJobContext> & Pick<RenderJobContext, 'renderVideo'>,
    options?: Partial<RenderWorkerOptions>,
    mode?: { paused?: boolean },
  ): RenderWorker;
  close(): Promise<void>;
}

/** A unique queue, a private store and a worker factory over one test Redis. */
export async function createQueueKit(redisUrl: string, jobOptions: RenderJobOptionsInput = {}): Promise<QueueKit> {
  const queueName = `q-${randomUUID()}`;
  const rq = createRenderQueue({ redisUrl, queueName, jobOptions });
  const redis = quiet(createRedisConnection(redisUrl));
  const storeRoot = await mkdtemp(path.join(os.tmpdir(), 'mastercut-queue-store-'));
  const workDir = await mkdtemp(path.join(os.tmpdir(), 'mastercut-queue-work-'));
  const store = createFileStore({ root: storeRoot });
  const keys = createRedisKeys(`{mastercut}:test:${queueName}:`);
  const index = createOutputIndex(redis, { keys });
  const workers: RenderWorker[] = [];
  const connections: Redis[] = [];
  return {
    queueName,
    keys,
    rq,
    redis,
    store,
    index,
    storeRoot,
    workDir,
    deps: { queue: rq.queue, events: rq.events, registry, index, store, jobOptions: rq.jobOptions },
    startWorker(ctx, options = {}, mode = {}) {
      const connection = quiet(createRedisConnection(redisUrl));
      connections.push(connection);
      const worker = createRenderWorker(
        { store, index, workDir, ...ctx },
        { connection, queueName, jobOptions, lockDurationMs: 5_000, stalledIntervalMs: 5_000, ...options },
      );
      worker.worker.on('error', () => undefined);
      workers.push(worker);
      if (!mode.paused) worker.run();
      return worker;
    },
    async close() {
      await Promise.allSettled(workers.map((w) => w.shutdown(0)));
      await Promise.allSettled(connections.map((c) => closeRedisConnection(c)));
      await rq.queue.obliterate({ force: true }).catch(() => undefined);
      await rq.close();
      await closeRedisConnection(redis);
      await rm(storeRoot, { recursive: true, force: true });
      await rm(workDir, { recursive: true, force: true });
    },
  };
}

/** Connection errors are expected in restart tests; without a listener ioredis prints each one. */
function quiet(redis: Redis): Redis {
  redis.on('error', () => undefined);
  return redis;
}

/** Polls until `check` returns a truthy value (or throws after timeoutMs). */
export async function until<T>(check: () => Promise<T> | T, timeoutMs = 10_000, what = 'condition'): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value) return value as NonNullable<T>;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

/** What useQueueKit() fills in: one Redis for the file, a fresh kit per test. */
export interface QueueKitEnv {
  redis: EmbeddedRedis;
  kit: QueueKit;
}

/**
 * Registers the hooks every queue test file needs: a real redis-server for
 * the file, and a fresh queue, store and workers for each test.
 */
export function useQueueKit(jobOptions: RenderJobOptionsInput = {}): QueueKitEnv {
  const env = {} as QueueKitEnv;
  beforeAll(async () => {
    env.redis = await startTestRedis();
  });
  afterAll(async () => {
    await env.redis?.destroy();
  });
  beforeEach(async () => {
    env.kit = await createQueueKit(env.redis.url, jobOptions);
  });
  afterEach(async () => {
    await env.kit?.close();
  });
  return env;
}
