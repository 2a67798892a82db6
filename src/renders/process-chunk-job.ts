import { randomBytes } from 'node:crypto';
import { mkdir, rm } from 'node:fs/promises';
import path from 'node:path';
import { AppError, CancelledError } from '../errors/index.js';
import type { RenderResult } from '../pipeline/index.js';
import type { RenderJobContext, RenderJobLike, RenderJobResult } from './render-job-context.js';
import { renderChunkKey, type RenderJobData } from './render-job.schema.js';

/** What a chunk job returns to its parent (read back with the children's values). */
export interface ChunkJobResult extends RenderJobResult {
  chunk: NonNullable<RenderJobData['chunk']> & {
    /** The page audio the chunk's render reported: the join mixes it once. */
    pageAudioTracks: NonNullable<RenderResult['pageAudioTracks']>;
    /** The chunk's frames captured and reused (absent from chunks of older workers): the join records the whole profile. */
    captureProfile?: RenderResult['captureProfile'];
  };
}

/**
 * One chunk of a split render, on whichever render worker took it: renders
 * the chunk's frames with the master's encoder settings (closed GOP, no
 * sound), stores it under the render key for the join, and returns where it
 * is. Nothing is indexed, hooked or streamed: the parent job does that once,
 * for the whole video. A subject erased since the split began stops the
 * chunk before it renders and takes back a chunk stored meanwhile.
 */
export async function processChunkJob(
  ctx: RenderJobContext,
  job: RenderJobLike,
  data: RenderJobData,
  key: string,
  /** The first chunk of a streamed split, rendered by its master: its video as MPEG-TS while it encodes (RenderRequest.onChunkStream). */
  onChunkStream?: (ts: Buffer) => Promise<void>,
): Promise<ChunkJobResult> {
  const chunk = data.chunk!;
  await assertChunkNotErased(ctx, key, chunk.splitAt);
  const storageKey = renderChunkKey(key, chunk.index, chunk.count);
  await mkdir(ctx.workDir, { recursive: true });
  const tmp = path.join(ctx.workDir, `${key}.chunk-${chunk.index}.${randomBytes(6).toString('hex')}.mp4`);
  // With 'chunk rendered': how long a chunk waited for a worker, and rendered (bench/split-render-queue.ts prints both).
  ctx.log?.info({ renderKey: key, chunk: chunk.index, chunks: chunk.count, frames: chunk.end - chunk.start }, 'chunk started');
  try {
    const result = await ctx.renderVideo({
      templateId: data.templateId,
      variant: data.variant,
      props: data.props,
      format: 'mp4',
      frames: { start: chunk.start, end: chunk.end - 1 },
      chunk: true,
      ...(chunk.streamable ? { streamable: true } : {}),
      ...(onChunkStream ? { onChunkStream } : {}),
      out: tmp,
      signal: job.signal,
    });
    if (job.signal?.aborted) throw new CancelledError(String(job.signal.reason ?? 'cancelled'));
    const info = await ctx.store.put(storageKey, { file: tmp }, { contentType: 'video/mp4' });
    if (ctx.wasErased && (await ctx.wasErased(key, chunk.splitAt))) {
      await ctx.store.delete(storageKey);
      throw new AppError('SUBJECT_ERASED', 'the recipient of this split render was erased; its chunk was removed');
    }
    ctx.log?.info({ renderKey: key, chunk: chunk.index, chunks: chunk.count, size: info.size }, 'chunk rendered');
    return {
      renderKey: key,
      storageKey,
      size: info.size,
      contentType: 'video/mp4',
      skipped: false,
      chunk: { ...chunk, pageAudioTracks: result.pageAudioTracks ?? [], captureProfile: result.captureProfile },
    };
  } finally {
    await rm(tmp, { force: true });
  }
}

async function assertChunkNotErased(ctx: RenderJobContext, key: string, splitAt: number): Promise<void> {
  if (ctx.wasErased && (await ctx.wasErased(key, splitAt))) {
    throw new AppError('SUBJECT_ERASED', 'the recipient of this split render was erased; the chunk is not rendered');
  }
}
