/**
 * One render worker process of bench/campaign-scale.ts (forked by it; not run
 * by hand): the farm's createRenderWorker -> processRenderJob (output index,
 * campaign hooks, job retention) with only the renderer and the object store
 * stubbed. The render returns at once and the store discards the output, so
 * the bench measures the queue machinery and Redis, not disks or Chromium.
 * A process of its own, so the fan-out's event loop is not shared with the
 * stub slots (as in production, where render workers are other machines).
 *
 * Argument: JSON { redisUrl, slots, workDir, doneTtlS, jobOptions }.
 * Sends 'ready' once it takes jobs; 'stop' shuts it down.
 */
import { Redis } from 'ioredis';
import { createCampaignHooks } from '../src/campaigns/index.js';
import type { RenderJobOptionsInput } from '../src/queue/index.js';
import { createOutputIndex, createRenderWorker, type RenderJobContext } from '../src/renders/index.js';
import type { ObjectInfo, ObjectStore } from '../src/storage/index.js';

interface WorkerArgs {
  redisUrl: string;
  slots: number;
  workDir: string;
  doneTtlS: number;
  jobOptions: RenderJobOptionsInput;
}

const args = JSON.parse(process.argv[2] ?? '{}') as WorkerArgs;
const STUB_BYTES = 9;

/** Discards every output: nothing is ever found (each campaign row is a new render key anyway). */
const discardStore: ObjectStore = {
  put: async (key, _source, options): Promise<ObjectInfo> => ({ key, size: STUB_BYTES, contentType: options.contentType, etag: '"stub"', modifiedAt: new Date() }),
  get: async () => undefined,
  head: async () => undefined,
  delete: async () => false,
  deletePrefix: async () => 0,
};

const redis = new Redis(args.redisUrl, { maxRetriesPerRequest: null });
const hooks = createCampaignHooks(redis);
const ctx: RenderJobContext = {
  // No file is written: the store discards it, and processRenderJob removes its temp path with force.
  renderVideo: (async () => ({})) as unknown as RenderJobContext['renderVideo'],
  store: discardStore,
  index: createOutputIndex(redis, { doneTtlSeconds: args.doneTtlS }),
  workDir: args.workDir,
  onRendered: hooks.onRendered,
  onFailed: hooks.onFailed,
};
const connection = redis.duplicate();
const worker = createRenderWorker(ctx, { connection, concurrency: args.slots, jobOptions: args.jobOptions, autorun: false });
worker.run();
process.send?.('ready');
process.on('message', (message) => {
  if (message !== 'stop') return;
  void worker
    .shutdown(5_000)
    .finally(() => {
      connection.disconnect();
      redis.disconnect();
      process.exit(0);
    });
});
