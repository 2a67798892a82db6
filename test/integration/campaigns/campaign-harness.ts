import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Redis } from 'ioredis';
import { createOutputIndex, type OutputIndex, createRenderQueue, createRenders, type RenderQueue } from '../../../src/renders/index.js';
import { createCampaignService, type CampaignService, type CampaignServiceDeps, type CampaignServiceOptions } from '../../../src/campaigns/index.js';
import { createDefaultRegistry } from '../../../src/pipeline/index.js';
import { createFileStore, type ObjectStore } from '../../../src/storage/index.js';
import type { TemplateRegistry } from '../../../src/templates/index.js';
import { startTestRedis, type EmbeddedRedis } from '../../helpers/redis-server.js';

export const repoRoot = path.resolve(import.meta.dirname, '../../..');

export interface CampaignHarness {
  redisServer: EmbeddedRedis;
  redis: Redis;
  renderQueue: RenderQueue;
  index: OutputIndex;
  store: ObjectStore;
  registry: TemplateRegistry;
  campaigns: CampaignService;
  dir: string;
  /** A fresh queue name per test keeps job counts per test. */
  useFreshQueue(options?: CampaignServiceOptions): Promise<void>;
  /** The campaign service's deps on the current queue, as the API wires them (a test adds its own). */
  serviceDeps(): CampaignServiceDeps;
  close(): Promise<void>;
}

/**
 * A private redis-server, the render queue, output index, file store and the
 * campaign service as the API wires them. Bundles are cached in the repo's
 * test cache so each file does not rebuild them.
 */
export async function startCampaignHarness(options: CampaignServiceOptions = {}): Promise<CampaignHarness> {
  const redisServer = await startTestRedis();
  const dir = await mkdtemp(path.join(os.tmpdir(), 'mastercut-campaigns-'));
  const redis = new Redis(redisServer.url, { maxRetriesPerRequest: null });
  const registry = createDefaultRegistry({ cacheDir: path.join(repoRoot, '.cache/test') });
  const index = createOutputIndex(redis);
  const store = createFileStore({ root: path.join(dir, 'storage') });
  let counter = 0;
  const harness = {
    redisServer,
    redis,
    index,
    store,
    registry,
    dir,
  } as unknown as CampaignHarness;
  harness.useFreshQueue = async (serviceOptions = options) => {
    await harness.renderQueue?.close();
    harness.renderQueue = createRenderQueue({ redisUrl: redisServer.url, queueName: `render-cmp-${++counter}`, events: false });
    await harness.renderQueue.queue.waitUntilReady();
    harness.campaigns = createCampaignService(harness.serviceDeps(), serviceOptions);
  };
  harness.serviceDeps = () => ({
    redis,
    renders: createRenders({ queue: harness.renderQueue.queue, redis, index, store }),
    registry,
    index,
    store,
    jobOptions: harness.renderQueue.jobOptions,
  });
  harness.close = async () => {
    await harness.renderQueue?.close();
    redis.disconnect();
    await redisServer.destroy();
    await rm(dir, { recursive: true, force: true });
  };
  await harness.useFreshQueue();
  return harness;
}

/** The campaign service's deps as the harness wires them (on its current queue), for tests that add their own. */
export function harnessDeps(h: CampaignHarness) {
  const { redis, index, store, registry, renderQueue } = h;
  return { redis, renders: createRenders({ queue: renderQueue.queue, redis, index, store }), registry, index, store, jobOptions: renderQueue.jobOptions };
}

/** Every job currently in the queue, whatever its state. */
export async function allJobs(renderQueue: RenderQueue) {
  return renderQueue.queue.getJobs(['waiting', 'prioritized', 'active', 'delayed', 'completed', 'failed']);
}

/** Reads a stream to a string. */
export async function readAll(stream: NodeJS.ReadableStream): Promise<string> {
  let text = '';
  for await (const chunk of stream) text += typeof chunk === 'string' ? chunk : (chunk as Buffer).toString('utf8');
  return text;
}
