import { randomBytes } from 'node:crypto';
import { mkdir, rm } from 'node:fs/promises';
import path from 'node:path';
import type { OutputRecord } from './output-record.schema.js';
import { isWaitingForChildren, returnsToQueue } from '../queue/index.js';
import { AppError, CancelledError, isAppError } from '../errors/index.js';
import type { RenderJobProgress } from './get-render-status.js';
import { processChunkJob } from './process-chunk-job.js';
import type { RenderJobContext, RenderJobLike, RenderJobResult } from './render-job-context.js';
import { joinStoredChunks, planRenderSplit, removeStoredChunks, streamsWhileRendering, type RenderedChunk } from './split-render-job.js';
import { renderedChunks } from './stream-split-render.js';
import { renderJobKey } from './render-job-key.js';
import { renderChunkJobId, renderJobSchema, renderOutputKey, type RenderJobData } from './render-job.schema.js';
import { contentTypeOf } from './render-state.js';

/**
 * Renders one job and publishes its output: validate -> skip if already
 * stored -> render to a private temp file -> `store.put` (atomic) -> index
 * `done`. Readers never see a partial output: the file only enters the store
 * whole, by rename. A failure marks the index `failed` only on the last try,
 * so a retry in progress is not reported as a failure.
 */
export async function processRenderJob(ctx: RenderJobContext, job: RenderJobLike): Promise<RenderJobResult> {
  const data = parseJobData(job);
  const key = renderJobKey(data);
  if (data.chunk) return processChunkJob(ctx, job, data, key);
  // Read first: the job became active (no longer removable by an erasure) just
  // before, and an erasure refuses renders started at or before its time.
  let startedAt = ctx.clock ? await ctx.clock() : Date.now();
  const spans = await planRenderSplit(ctx, job, data);
  const storageKey = renderOutputKey(key, data.format);
  const contentType = contentTypeOf(data.format);
  const base: Omit<OutputRecord, 'state' | 'updatedAt'> = {
    key,
    templateId: data.templateId,
    templateVersion: data.templateVersion,
    variant: data.variant,
    ...(data.campaignId === undefined ? {} : { campaignId: data.campaignId }),
  };

  // The store is the truth: an output there (rendered by an earlier try that
  // died before finishing the job, or by another job) is only re-indexed.
  const existing = await ctx.store.head(storageKey);
  if (existing) {
    const record = await ctx.index.get(key);
    if (record?.state !== 'done') {
      await ctx.index.set({ ...base, state: 'done', storageKey, size: existing.size, contentType, updatedAt: Date.now() });
    }
    if (spans && ctx.split) await removeStoredChunks(ctx.split, key, spans.length);
    // `rendering`: an earlier try of this job rendered it and died before it finished; otherwise it was there before (a cache hit).
    await ctx.onRendered?.(data, key, record?.state !== 'rendering');
    return { renderKey: key, storageKey, size: existing.size, contentType, skipped: true };
  }

  const markRendering = () => ctx.index.set({ ...base, state: 'rendering', updatedAt: Date.now() });
  // A cold Live master streams its MP4 while it renders: whole, or split chunk by chunk.
  let stream = streamsWhileRendering(ctx, data) ? ctx.openStream!(key, job.attemptsMade + 1, startedAt) : undefined;
  // A split render's chunks are child jobs any render worker takes; this job
  // is parked until they are done (or, streaming, renders the first and
  // waits for the others in its slot), then joins them (docs/split-render.md).
  let chunks: RenderedChunk[] | undefined;
  if (spans && ctx.split) {
    try {
      const rendered = await renderedChunks(ctx, job, data, key, spans, startedAt, markRendering, stream);
      chunks = rendered.chunks;
      // A stream that did not carry the chunks has already told its readers so (failed): nothing more is sent.
      if (!rendered.streamed) stream = undefined;
    } catch (err) {
      if (isWaitingForChildren(err)) throw err;
      await stream?.fail(isAppError(err) ? err.code : 'INTERNAL');
      if (await recordFailure(ctx, job, data, key, err)) await removeStoredChunks(ctx.split, key, spans.length);
      throw err;
    }
    // Erasures count from the split, not from this resumption.
    startedAt = Math.min(...chunks.map((c) => c.chunk.splitAt));
  } else {
    await markRendering();
  }
  await mkdir(ctx.workDir, { recursive: true });
  const tmp = path.join(ctx.workDir, `${key}.${randomBytes(6).toString('hex')}.${data.format}`);
  try {
    const report = throttledProgress(job, ctx.progressIntervalMs ?? 500);
    if (chunks && ctx.split) {
      await assertNotErased(ctx, key, startedAt);
      await joinStoredChunks(ctx.split, data.templateId, chunks, tmp, job.signal);
    }
    const result = chunks ? undefined : await ctx.renderVideo({
      templateId: data.templateId,
      variant: data.variant,
      props: data.props,
      format: data.format,
      out: tmp,
      signal: job.signal,
      onProgress: report,
      ...(stream ? { onStreamChunk: (chunk: Buffer) => stream.write(chunk) } : {}),
    });
    if (job.signal?.aborted) throw new CancelledError(String(job.signal.reason ?? 'cancelled'));
    // Erased while it rendered: the tombstone wins, nothing is published.
    await assertNotErased(ctx, key, startedAt);
    if (result && result.templateVersion !== data.templateVersion) {
      // A deploy changed the template between enqueue and render (rolling
      // update). Publishing is still better than failing the job; the log lets
      // operators see keys whose content is a newer version.
      ctx.log?.warn({ renderKey: key, templateId: data.templateId, queued: data.templateVersion, rendered: result.templateVersion }, 'template version changed since enqueue');
    }
    const info = await ctx.store.put(storageKey, { file: tmp }, { contentType });
    await ctx.index.set({ ...base, state: 'done', storageKey, size: info.size, contentType, updatedAt: Date.now() });
    if (ctx.wasErased && (await ctx.wasErased(key, startedAt))) {
      // The erase ran between the check above and the put: take it back.
      await ctx.store.delete(storageKey);
      await ctx.index.delete?.(key);
      throw new AppError('SUBJECT_ERASED', 'the recipient of this render was erased while it was published; it was removed');
    }
    await stream?.end();
    // Under the version rendered: a deploy between enqueue and render changed it (warned above).
    await recordCaptureProfile(ctx, data, result?.templateVersion ?? data.templateVersion, result?.captureProfile, joinedProfile(chunks));
    if (chunks && ctx.split) await removeStoredChunks(ctx.split, key, chunks.length);
    await ctx.onRendered?.(data, key);
    ctx.log?.info({ renderKey: key, templateId: data.templateId, size: info.size }, 'render published');
    return { renderKey: key, storageKey, size: info.size, contentType, skipped: false };
  } catch (err) {
    await stream?.fail(isAppError(err) ? err.code : 'INTERNAL');
    // A split master that failed its join is retried by joining again (its chunks are kept): it reads `rendering`, not `queued`.
    const final = await recordFailure(ctx, job, data, key, err, chunks ? 'rendering' : 'queued');
    if (final && chunks && ctx.split) await removeStoredChunks(ctx.split, key, chunks.length);
    throw err;
  } finally {
    await rm(tmp, { force: true });
  }
}

/** The chunks' profiles end to end, or undefined when one lacks its own (a chunk of an older worker). */
function joinedProfile(chunks: readonly RenderedChunk[] | undefined): string | undefined {
  if (!chunks || chunks.some((c) => c.chunk.captureProfile === undefined)) return undefined;
  return chunks.map((c) => c.chunk.captureProfile).join('');
}

/**
 * Adds a published MP4 master's capture profile to its template version's
 * average, for the next split of that version (planRenderSplit): a whole
 * render's blends in, a split master's (`joined`) only seeds a version that
 * has none (CaptureProfiles.seed). Only MP4 masters: they cover the whole
 * composition, as the splits they inform do. Best effort: a profile lost
 * costs the next split its cost cut, never a render.
 */
async function recordCaptureProfile(ctx: RenderJobContext, data: RenderJobData, version: string, whole: string | undefined, joined: string | undefined): Promise<void> {
  if (!ctx.captureProfiles || data.format !== 'mp4') return;
  const recorded =
    whole !== undefined ? ctx.captureProfiles.record(data.templateId, version, whole) : joined !== undefined ? ctx.captureProfiles.seed(data.templateId, version, joined) : undefined;
  await recorded?.catch((err: unknown) => {
    ctx.log?.warn({ templateId: data.templateId, err: String(err) }, 'capture profile not recorded');
  });
}

async function assertNotErased(ctx: RenderJobContext, key: string, startedAt: number): Promise<void> {
  if (ctx.wasErased && (await ctx.wasErased(key, startedAt))) {
    throw new AppError('SUBJECT_ERASED', 'the recipient of this render was erased; it is not published');
  }
}

function parseJobData(job: RenderJobLike): RenderJobData {
  const parsed = renderJobSchema.safeParse(job.data);
  if (!parsed.success) {
    const fields = parsed.error.issues.map((issue) => issue.path.join('.') || '(root)');
    throw new AppError('INVALID_ARGUMENT', `Render job ${job.id ?? '?'} has invalid data: ${fields.join(', ')}`);
  }
  // The job id is the cache key (a chunk's: the key and its place): a job
  // whose data does not hash to its id would publish one render under another's name.
  const chunk = parsed.data.chunk;
  const expected = chunk ? renderChunkJobId(renderJobKey(parsed.data), chunk.index, chunk.count) : renderJobKey(parsed.data);
  if (job.id !== undefined && job.id !== expected) {
    throw new AppError('INVALID_ARGUMENT', `Render job ${job.id} does not match the key of its data.`);
  }
  return parsed.data;
}

/** Logs and indexes a failed try (`retryState` when another follows); true when it was the last one. */
async function recordFailure(
  ctx: RenderJobContext,
  job: RenderJobLike,
  data: RenderJobData,
  key: string,
  err: unknown,
  retryState: 'queued' | 'rendering' = 'queued',
): Promise<boolean> {
  if (err instanceof CancelledError) {
    // Shutdown, put back, or a lost lock: not a failure. Back in the queue,
    // the record says so (a reader would otherwise see it rendering while it
    // waits). After a lost lock it is left alone: another worker may already
    // own the key and its record.
    if (returnsToQueue(job.signal)) await ctx.index.update(key, { state: retryState });
    return false;
  }
  const retryable = isAppError(err) ? err.retryable : true;
  const final = !retryable || job.attemptsMade + 1 >= job.attempts;
  const code = isAppError(err) ? err.code : 'INTERNAL';
  ctx.log?.[final ? 'error' : 'warn'](
    { renderKey: key, templateId: data.templateId, code, attempt: job.attemptsMade + 1, final, err: errorSummary(err) },
    final ? 'render failed' : 'render failed, will retry',
  );
  if (!final) {
    await ctx.index.update(key, { state: retryState, error: code });
    return false;
  }
  await ctx.index.update(key, { state: 'failed', error: code });
  await ctx.onFailed?.(data, key, err);
  return true;
}

/** Message and code only: a stack or cause could carry props. */
function errorSummary(err: unknown): { message: string; name: string } {
  return err instanceof Error ? { name: err.name, message: err.message } : { name: 'Error', message: String(err) };
}

function throttledProgress(job: RenderJobLike, intervalMs: number) {
  let last = 0;
  return (p: { framesDone: number; totalFrames: number; etaSeconds: number | undefined }) => {
    const now = Date.now();
    if (!job.updateProgress || (now - last < intervalMs && p.framesDone < p.totalFrames)) return;
    last = now;
    const percent = p.totalFrames > 0 ? Math.floor((100 * p.framesDone) / p.totalFrames) : 0;
    const progress: RenderJobProgress = { percent, framesDone: p.framesDone, totalFrames: p.totalFrames };
    if (p.etaSeconds !== undefined) progress.etaSeconds = Math.round(p.etaSeconds);
    // Progress is advisory: a failed report (Redis blip) must not fail the render.
    void Promise.resolve(job.updateProgress(progress)).catch(() => undefined);
  };
}
