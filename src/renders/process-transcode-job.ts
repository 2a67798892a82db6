import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import path from 'node:path';
import { deliverableKey } from '../cache/index.js';
import type { DeliverableSpec, EncoderCaps } from '../encode/index.js';
import { AppError, CancelledError, isAppError } from '../errors/index.js';
import type { ObjectStore } from '../storage/index.js';
import type { JobLike, JobLogger } from '../queue/index.js';
import { restoreFromStore, storedOutput } from './done-and-stored.js';
import { objectOnDisk } from './download-object.js';
import type { RenderOutputIndex } from './render-deps.js';
import { deliverableStorageKey, transcodeJobSchema, type TranscodeJobData } from './transcode-job.schema.js';
import type { TranscodeSlots } from './transcode-slots.js';

/** What transcodeDeliverable (src/encode) returns, as far as publishing needs it. */
export interface TranscodeOutcome {
  /** Relative names (posix); the first one is the spec's main file. */
  files: { name: string; path: string; contentType: string; size: number }[];
  pipeline: string;
  fellBackToCpu: boolean;
  passThrough: boolean;
  gifStep?: number;
}

export type TranscodeFn = (input: {
  masterPath: string;
  spec: DeliverableSpec;
  outDir: string;
  caps: EncoderCaps;
  posterSeconds?: number;
  signal?: AbortSignal;
  onProgress?: (fraction: number) => void;
}) => Promise<TranscodeOutcome>;

export interface TranscodeJobContext {
  transcode: TranscodeFn;
  store: ObjectStore;
  index: RenderOutputIndex;
  /** GPU and CPU slots of this worker (their sizes are the two concurrencies). */
  slots: TranscodeSlots;
  /** Deliverables are written here first, then moved into the store. */
  workDir: string;
  log?: JobLogger;
  /**
   * Told once the deliverable is settled, after the output index says so:
   * `cut` (published, or found already stored) or `failed` for good. Campaigns
   * count their channel deliverables here (wired by workers/transcode.ts).
   * Its failure is logged, never the job's.
   */
  onSettled?: (deliverableKey: string, outcome: 'cut' | 'failed') => Promise<unknown>;
}

export interface TranscodeJobResult {
  deliverableKey: string;
  storageKey: string;
  pipeline: string;
  skipped: boolean;
  passThrough: boolean;
}

/**
 * Cuts one deliverable from a stored master and publishes it: skip when it
 * is already stored -> fetch the master (a local path when the store is on
 * this disk) -> transcode on a GPU slot when one is free, else on the CPU ->
 * put every file (the main one last, so a reader who finds it finds the
 * rest, e.g. an HLS master playlist and its segments) -> index `done`.
 * The master is never re-rendered here: a failed transcode retries alone.
 */
export async function processTranscodeJob(ctx: TranscodeJobContext, job: JobLike<{ percent: number }>): Promise<TranscodeJobResult> {
  const data = parseJobData(job);
  const key = deliverableKey(data.renderKey, data.spec);
  const mainKey = deliverableStorageKey(key, data.spec.name);
  const base = { key, templateId: data.templateId, renderKey: data.renderKey, name: data.spec.name };

  const existing = await ctx.index.get(key);
  // No record: it may have expired (done-record retention) with the files still stored under the derivable key.
  const stored = existing ? existing.storageKey && (await storedOutput(ctx.store, existing)) : await restoreFromStore(ctx, key, mainKey, base);
  if (stored) {
    await settled(ctx, key, 'cut');
    return { deliverableKey: key, storageKey: existing?.storageKey ?? mainKey, pipeline: existing?.pipeline ?? 'unknown', skipped: true, passThrough: false };
  }
  await ctx.index.set({ ...base, state: 'rendering', updatedAt: Date.now() });
  await mkdir(ctx.workDir, { recursive: true });
  const outDir = await mkdtemp(path.join(ctx.workDir, `${key.slice(0, 16)}-`));
  const slot = ctx.slots.acquire();
  try {
    const master = await ctx.store.head(data.masterStorageKey);
    if (!master) throw new AppError('MASTER_MISSING', `master ${data.masterStorageKey} of deliverable ${key} is not in storage`);
    // A store without local paths (S3): the master is copied into the job's private dir.
    const masterPath = await objectOnDisk(ctx.store, data.masterStorageKey, { dir: outDir, name: 'master.mp4', missingCode: 'MASTER_MISSING' });
    const outcome = await ctx.transcode({
      masterPath,
      spec: data.spec,
      outDir,
      caps: slot.caps,
      ...(data.posterSeconds === undefined ? {} : { posterSeconds: data.posterSeconds }),
      signal: job.signal,
      onProgress: (fraction) => void Promise.resolve(job.updateProgress?.({ percent: Math.floor(fraction * 100) })).catch(() => undefined),
    });
    if (job.signal?.aborted) throw new CancelledError(String(job.signal.reason ?? 'cancelled'));
    if (outcome.fellBackToCpu) ctx.log?.warn({ deliverableKey: key, kind: data.spec.kind, gpu: slot.caps.label }, 'GPU transcode failed; done on the CPU');

    let storageKey = mainKey;
    let size: number;
    let contentType = outcome.files[0]?.contentType ?? 'application/octet-stream';
    if (outcome.passThrough) {
      // The master already is this deliverable: point at it, copy nothing.
      storageKey = data.masterStorageKey;
      size = master.size;
      contentType = master.contentType;
    } else {
      const [main, ...rest] = outcome.files;
      if (!main) throw new AppError('DELIVERABLE_INVALID', `transcode of ${key} produced no file`);
      for (const file of rest) await ctx.store.put(deliverableStorageKey(key, file.name), { file: file.path }, { contentType: file.contentType });
      size = (await ctx.store.put(mainKey, { file: main.path }, { contentType: main.contentType })).size;
    }
    const pipelineName = outcome.passThrough ? 'passthrough' : outcome.pipeline;
    await ctx.index.set({ ...base, state: 'done', storageKey, size, contentType, pipeline: pipelineName, updatedAt: Date.now() });
    ctx.log?.info({ deliverableKey: key, renderKey: data.renderKey, kind: data.spec.kind, pipeline: pipelineName, size, gifStep: outcome.gifStep }, 'deliverable published');
    await settled(ctx, key, 'cut');
    return { deliverableKey: key, storageKey, pipeline: pipelineName, skipped: false, passThrough: outcome.passThrough };
  } catch (err) {
    await recordFailure(ctx, job, key, err);
    throw err;
  } finally {
    slot.release();
    await rm(outDir, { recursive: true, force: true });
  }
}

function parseJobData(job: JobLike<{ percent: number }>): TranscodeJobData {
  const parsed = transcodeJobSchema.safeParse(job.data);
  if (!parsed.success) {
    const fields = parsed.error.issues.map((issue) => issue.path.join('.') || '(root)');
    throw new AppError('INVALID_ARGUMENT', `Transcode job ${job.id ?? '?'} has invalid data: ${fields.join(', ')}`);
  }
  if (job.id !== undefined && job.id !== deliverableKey(parsed.data.renderKey, parsed.data.spec)) {
    throw new AppError('INVALID_ARGUMENT', `Transcode job ${job.id} does not match the key of its data.`);
  }
  return parsed.data;
}

async function recordFailure(ctx: TranscodeJobContext, job: JobLike<{ percent: number }>, key: string, err: unknown): Promise<void> {
  if (err instanceof CancelledError) return;
  const retryable = isAppError(err) ? err.retryable : true;
  const final = !retryable || job.attemptsMade + 1 >= job.attempts;
  const code = isAppError(err) ? err.code : 'INTERNAL';
  ctx.log?.[final ? 'error' : 'warn'](
    { deliverableKey: key, code, attempt: job.attemptsMade + 1, final, err: { message: err instanceof Error ? err.message : String(err) } },
    final ? 'transcode failed' : 'transcode failed, will retry',
  );
  await ctx.index.update(key, { state: final ? 'failed' : 'queued', error: code });
  if (final) await settled(ctx, key, 'failed');
}

async function settled(ctx: TranscodeJobContext, key: string, outcome: 'cut' | 'failed'): Promise<void> {
  await ctx.onSettled?.(key, outcome).catch((err: unknown) => ctx.log?.warn({ deliverableKey: key, err: { message: String(err) } }, 'campaign deliverable count failed'));
}
