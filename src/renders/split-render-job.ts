import { mkdir, rm } from 'node:fs/promises';
import { AppError } from '../errors/index.js';
import type { JobChildren } from '../queue/index.js';
import { costOfFrames, planChunks, splitOptionsForProfile, type CaptureProfile, type FrameSpan } from '../pipeline/index.js';
import { objectOnDisk } from './download-object.js';
import type { ChunkJobResult } from './process-chunk-job.js';
import type { RenderJobContext, RenderJobLike, RenderSplitContext } from './render-job-context.js';
import { RENDER_CHUNK_JOB_NAME, chunkCountOfJobId, renderChunkJobId, renderChunkKey, type RenderJobData } from './render-job.schema.js';

/** A finished chunk, as its job returned it. */
export type RenderedChunk = Pick<ChunkJobResult, 'storageKey' | 'chunk'>;

/**
 * The chunks a render job is cut into, or undefined when it renders whole.
 * Only MP4 masters of at least `minFrames` frames are split. A Live MP4 that
 * streams while it renders (a cold Live URL) is split only where the worker
 * can stream a split (RenderSplitContext.openChunkStream): its master then
 * renders the first chunk itself and streams it at once (stream-split-render.ts).
 *
 * How many: a master that already has chunks keeps the count they were cut
 * by (a resumed job; another worker's settings or the farm's load may differ
 * now). Otherwise one chunk per render slot that would take one now (this
 * master's own, which it frees when it parks, plus the idle ones:
 * RenderSplitContext.idleSlots), at most `options.chunks`; fewer than 2 and
 * it renders whole, so a busy farm or a lone worker never pays for a split.
 *
 * Where: by the capture cost of the template version's recorded profile
 * (RenderJobContext.captureProfiles), so that the chunks, rendered side by
 * side, finish together; by frame count when the version has none yet. A
 * resumed job's chunks carry their own frames: awaitChunks joins those.
 */
export async function planRenderSplit(ctx: RenderJobContext, job: RenderJobLike, data: RenderJobData): Promise<FrameSpan[] | undefined> {
  const split = ctx.split;
  if (!split || data.format !== 'mp4' || data.chunk) return undefined;
  const range = { start: 0, end: split.frameCount(data.templateId) };
  const cut = await chunkCountSoFar(job);
  if (cut !== undefined) {
    const profile = await readProfile(ctx, data, range.end);
    return planChunks(range, splitOptionsForProfile({ minFrames: 0, chunks: cut, chunkStartMs: split.options.chunkStartMs }, profile), costsOf(profile));
  }
  // A new split of a streaming Live master needs a worker that streams its first chunk; one split elsewhere is joined above.
  if (streamsWhileRendering(ctx, data) && !split.openChunkStream) return undefined;
  // Splitting off here (RENDER_SPLIT_CHUNKS=1): only a master another worker split is joined.
  if (split.options.chunks < 2) return undefined;
  if (range.end < split.options.minFrames) return undefined;
  const slots = split.idleSlots ? 1 + Math.max(0, await split.idleSlots()) : split.options.chunks;
  const chunks = Math.min(split.options.chunks, slots);
  if (chunks < 2) return undefined;
  const profile = await readProfile(ctx, data, range.end);
  const spans = planChunks(range, splitOptionsForProfile({ minFrames: split.options.minFrames, chunks, chunkStartMs: split.options.chunkStartMs }, profile), costsOf(profile));
  return spans.length > 1 ? spans : undefined;
}

/** The version's recorded capture profile, or undefined (cut by frame count): a Redis hiccup never stops a render. */
async function readProfile(ctx: RenderJobContext, data: RenderJobData, frames: number): Promise<CaptureProfile | undefined> {
  return ctx.captureProfiles?.get(data.templateId, data.templateVersion, frames).catch((err: unknown) => {
    ctx.log?.warn({ templateId: data.templateId, err: String(err) }, 'capture profile not read: split cut by frame count');
    return undefined;
  });
}

function costsOf(profile: CaptureProfile | undefined): number[] | undefined {
  return profile === undefined ? undefined : costOfFrames(profile);
}

/**
 * True for a master whose MP4 streams to viewers while it renders (a cold
 * Live URL): one worker streams it whole, or its split streams chunk by
 * chunk, and then every chunk of it is encoded streamable (chunkJobData).
 */
export function streamsWhileRendering(ctx: RenderJobContext, data: RenderJobData): boolean {
  return data.priorityClass === 'live' && data.format === 'mp4' && ctx.openStream !== undefined;
}

/** The chunk count of the chunk jobs a master already has (finished, failed or pending), or undefined. */
async function chunkCountSoFar(job: RenderJobLike): Promise<number | undefined> {
  if (!job.children) return undefined;
  for (const id of await job.children.ids()) {
    const count = chunkCountOfJobId(id);
    if (count !== undefined) return count;
  }
  return undefined;
}

/**
 * The parent's side of a split render, run each time the master's job is
 * taken: a chunk that failed for good fails the render; chunks all done are
 * returned in order; otherwise the missing ones are added as child jobs (ids
 * `<renderKey>:chunk:<i>of<n>`, so a re-add is a no-op) and the job is parked
 * until they finish (BullMQ's WaitingChildrenError goes up: not a failure).
 * A resumed job keeps the split time of its chunks (the time erasures are
 * checked against); its plan is theirs (planRenderSplit).
 */
export async function awaitChunks(
  ctx: RenderJobContext,
  job: RenderJobLike,
  data: RenderJobData,
  key: string,
  spans: readonly FrameSpan[],
  /** When this entry of the master began (RenderJobContext.clock): the split time of a first split. */
  startedAt: number,
  /** Marks the output `rendering`: on the first entry only, so that a job resumed after an erasure indexes nothing again. */
  markRendering: () => Promise<void>,
): Promise<RenderedChunk[]> {
  const children = job.children;
  if (!children) throw new AppError('INTERNAL', 'a split render runs inside a render worker (its chunks are child jobs)');
  await assertNoChunkFailed(children);
  const done = [...(await children.values<ChunkJobResult>()).values()].filter((value) => value?.chunk !== undefined);
  // planRenderSplit cut a resumed job by its chunks' count already.
  const plan = spans;
  const count = plan.length;
  const end = plan[count - 1]!.end;
  const byIndex = new Map(done.filter((d) => d.chunk.count === count).map((d) => [d.chunk.index, d]));
  const missing = plan.map((_, index) => index).filter((index) => !byIndex.has(index));
  if (missing.length === 0) return tiled(plan.map((_, index) => byIndex.get(index)!), end);

  // From the master's start, not from now: an erasure while it planned the split (its job already active) refuses the chunks.
  const splitAt = done[0]?.chunk.splitAt ?? startedAt;
  if (done.length === 0) await markRendering();
  await children.add(
    missing.map((index) => ({
      name: RENDER_CHUNK_JOB_NAME,
      jobId: renderChunkJobId(key, index, count),
      data: chunkJobData(data, { index, count, start: plan[index]!.start, end: plan[index]!.end, splitAt, ...streamable(ctx, data) }),
    })),
  );
  ctx.log?.info({ renderKey: key, chunks: count, added: missing.length, starts: plan.map((span) => span.start) }, 'split render: chunks queued');
  // Its length, for the status of the parked job (getRenderStatus adds the frames of finished chunks).
  const framesDone = [...byIndex.values()].reduce((sum, d) => sum + d.chunk.end - d.chunk.start, 0);
  await Promise.resolve(job.updateProgress?.({ percent: Math.floor((100 * framesDone) / end), framesDone, totalFrames: end })).catch(() => undefined);
  await children.waitForAll();
  // Nothing pending any more: the chunks finished between the add and the wait.
  const now = [...(await children.values<ChunkJobResult>()).values()].filter((d) => d?.chunk?.count === count);
  if (now.length !== count) throw new AppError('CHUNK_FAILED', 'the chunks of this split render finished without a result');
  return tiled(now.sort((a, b) => a.chunk.index - b.chunk.index), end);
}

/** A chunk that failed for good (no attempt left, or not retryable) fails the render. */
export async function assertNoChunkFailed(children: JobChildren): Promise<void> {
  const failed = await children.failed();
  if (failed.size > 0) {
    throw new AppError('CHUNK_FAILED', `${failed.size} chunk(s) of this split render failed for good: ${[...failed.keys()].join(', ')}`);
  }
}

/**
 * The chunks, checked to cover [0, end) end to end. Each chunk carries the
 * frames it was cut with, and all of a master's chunks are added at once, so
 * they tile even when the version's profile changed since; a chunk job that
 * vanished and was re-added by a later plan could overlap or leave a gap,
 * and a join of those would be a wrong video.
 */
function tiled(chunks: RenderedChunk[], end: number): RenderedChunk[] {
  let at = 0;
  for (const { chunk } of chunks) {
    if (chunk.start !== at) throw new AppError('CHUNK_FAILED', `the chunks of this split render do not meet at frame ${at} (a chunk starts at ${chunk.start})`);
    at = chunk.end;
  }
  if (at !== end) throw new AppError('CHUNK_FAILED', `the chunks of this split render end at frame ${at}, not ${end}`);
  return chunks;
}

/** The chunks of a streamed master share the stream's video settings, whichever entry of the master queued them (one rule, so a re-added chunk matches the others). */
export function streamable(ctx: RenderJobContext, data: RenderJobData): { streamable?: true } {
  return streamsWhileRendering(ctx, data) ? { streamable: true } : {};
}

/** A chunk job carries what its render needs and nothing of the campaign's (no deliveries: the parent delivers). */
export function chunkJobData(data: RenderJobData, chunk: NonNullable<RenderJobData['chunk']>): RenderJobData {
  return {
    templateId: data.templateId,
    templateVersion: data.templateVersion,
    variant: data.variant,
    props: data.props,
    format: 'mp4',
    priorityClass: data.priorityClass,
    chunk,
  };
}

/** Joins the stored chunks into `out` (one MP4); the chunk copies of a store without local paths are removed after. */
export async function joinStoredChunks(
  split: RenderSplitContext,
  templateId: string,
  chunks: readonly RenderedChunk[],
  out: string,
  signal: AbortSignal | undefined,
): Promise<void> {
  const dir = `${out}.chunks`;
  await mkdir(dir, { recursive: true });
  try {
    const joined = await Promise.all(
      chunks.map(async ({ storageKey, chunk }) => ({
        path: await objectOnDisk(split.store, storageKey, { dir, name: `chunk-${chunk.index}.mp4`, missingCode: 'CHUNK_FAILED' }),
        frames: chunk.end - chunk.start,
        pageAudioTracks: chunk.pageAudioTracks,
      })),
    );
    const range = { start: chunks[0]!.chunk.start, end: chunks[chunks.length - 1]!.chunk.end };
    await split.joinChunks({ templateId, range, chunks: joined, workDir: dir, out, signal });
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** The chunk files are only there for the join: removed once the master is published, or failed for good. */
export async function removeStoredChunks(split: RenderSplitContext, key: string, count: number): Promise<void> {
  await Promise.all(Array.from({ length: count }, (_, index) => split.store.delete(renderChunkKey(key, index, count)).catch(() => false)));
}
