import { mkdir, rm } from 'node:fs/promises';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { AppError, CancelledError } from '../errors/index.js';
import type { ChunkStream, FrameSpan } from '../pipeline/index.js';
import { objectOnDisk } from './download-object.js';
import { processChunkJob, type ChunkJobResult } from './process-chunk-job.js';
import type { RenderJobContext, RenderJobLike, RenderSplitContext } from './render-job-context.js';
import { RENDER_CHUNK_JOB_NAME, renderChunkJobId, type RenderJobData } from './render-job.schema.js';
import type { RenderStreamWriter } from './render-stream-writer.js';
import { assertNoChunkFailed, awaitChunks, chunkJobData, type RenderedChunk } from './split-render-job.js';

/** A streaming master looks for its next chunk this often (BullMQ has no per-child event to wait on). */
const POLL_MS = 250;
const DEFAULT_STREAM_WAIT_MS = 60_000;

/**
 * How the streaming entry ended: every chunk rendered and streamed, every
 * chunk rendered but the stream broke on the way (its readers were told), or
 * it parks (the split goes on as a parked one).
 */
export type StreamSplitOutcome = { kind: 'streamed' | 'stream-broke'; chunks: RenderedChunk[] } | { kind: 'parked' };

/**
 * The first entry of a split Live master that streams (docs/split-render.md,
 * "Live cold renders stream their first chunk"): its chunks after the first are queued as child jobs
 * any worker takes, the master renders the first one itself and streams it
 * as it is encoded (its first byte waits for no other chunk), then
 * appends each later chunk to the same stream, in order, as soon as it is
 * done: one fragmented MP4, its soundtrack encoded once over the whole video
 * (OpenChunkStream). It returns every chunk for the normal join, which makes
 * the stored master; the stream only serves the viewers meanwhile.
 *
 * The master keeps its slot while it waits for a chunk (parked, its stream
 * would stop). A chunk that takes longer than `streamWaitMs` (a lost worker,
 * a busy farm: the chunk may need this very slot) ends the stream as failed,
 * as a lost streaming worker's does (viewers fall back to the stored master
 * once done), and the master parks like any split one ('parked').
 */
export async function streamSplitRender(
  ctx: RenderJobContext,
  job: RenderJobLike,
  data: RenderJobData,
  key: string,
  spans: readonly FrameSpan[],
  /** The master's start (RenderJobContext.clock): its chunks are checked against erasures from then on. */
  splitAt: number,
  writer: RenderStreamWriter,
): Promise<StreamSplitOutcome> {
  const split = ctx.split!;
  const children = job.children;
  if (!children || !split.openChunkStream) throw new AppError('INTERNAL', 'a streamed split render runs inside a render worker that streams splits');
  const count = spans.length;
  const chunkData = (index: number) => chunkJobData(data, { index, count, start: spans[index]!.start, end: spans[index]!.end, splitAt, streamable: true });
  await children.add(spans.slice(1).map((_, i) => ({ name: RENDER_CHUNK_JOB_NAME, jobId: renderChunkJobId(key, i + 1, count), data: chunkData(i + 1) })));
  ctx.log?.info({ renderKey: key, chunks: count, added: count - 1, starts: spans.map((span) => span.start) }, 'split render: chunks queued, first chunk streamed here');

  const stream = await split.openChunkStream({ templateId: data.templateId, onData: (bytes) => writer.write(bytes), signal: job.signal });
  const dir = path.join(ctx.workDir, `${key}.stream-chunks`);
  try {
    const first = await processChunkJob(ctx, job, chunkData(0), key, (ts) => stream.write(ts));
    const chunks: RenderedChunk[] = [first];
    await mkdir(dir, { recursive: true });
    for (let index = 1; index < count; index++) {
      const next = await nextChunk(job, key, index, count, split.streamWaitMs ?? DEFAULT_STREAM_WAIT_MS);
      if (!next) {
        ctx.log?.warn({ renderKey: key, chunk: index }, 'streamed split: a chunk is late; the stream ends and the master parks');
        stream.kill();
        await writer.fail('PARKED');
        return { kind: 'parked' };
      }
      chunks.push(next);
      await appendStored(split, stream, next, dir);
    }
    try {
      await stream.end();
      return { kind: 'streamed', chunks };
    } catch (err) {
      // The stream only serves viewers: they are cut, the render goes on to its join.
      ctx.log?.warn({ renderKey: key, err: String(err) }, 'streamed split: the stream broke');
      await writer.fail('STREAM_FAILED');
      return { kind: 'stream-broke', chunks };
    }
  } catch (err) {
    stream.kill();
    throw err;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/**
 * A split master's chunks, in order. The first entry of a master that
 * streams (`writer`) streams them as they come (streamSplitRender); any
 * other entry, and a streaming one that had to park, waits for them parked
 * (awaitChunks). A resumed streaming master (parked, or its worker died)
 * streams nothing: its stream, begun anew for this try, fails at once, so
 * viewers are cut as after a lost whole render and fall back to the stored
 * master once it is done. `streamed`: the chunks went through `writer`,
 * which the master ends once it has published; otherwise it was failed.
 */
export async function renderedChunks(
  ctx: RenderJobContext,
  job: RenderJobLike,
  data: RenderJobData,
  key: string,
  spans: readonly FrameSpan[],
  /** When this entry of the master began (RenderJobContext.clock): the split time of chunks it queues. */
  startedAt: number,
  markRendering: () => Promise<void>,
  writer: RenderStreamWriter | undefined,
): Promise<{ chunks: RenderedChunk[]; streamed: boolean }> {
  if (writer && ctx.split?.openChunkStream && job.children && (await job.children.ids()).length === 0) {
    await markRendering();
    const outcome = await streamSplitRender(ctx, job, data, key, spans, startedAt, writer);
    if (outcome.kind !== 'parked') return { chunks: outcome.chunks, streamed: outcome.kind === 'streamed' };
  } else if (writer) {
    await writer.fail('RESTARTED');
  }
  return { chunks: await awaitChunks(ctx, job, data, key, spans, startedAt, markRendering), streamed: false };
}

/** A stored chunk appended to the stream (its file is fetched first where the store has no local paths). */
async function appendStored(split: RenderSplitContext, stream: ChunkStream, { storageKey, chunk }: RenderedChunk, dir: string): Promise<void> {
  const file = await objectOnDisk(split.store, storageKey, { dir, name: `chunk-${chunk.index}.mp4`, missingCode: 'CHUNK_FAILED' });
  await stream.append({ path: file, startFrame: chunk.start });
  if (file.startsWith(dir)) await rm(file, { force: true });
}

/**
 * Chunk `index`'s result once its job completed; undefined when `waitMs`
 * passed without it. A chunk that failed for good fails the render, as the
 * join of a parked master would.
 */
async function nextChunk(job: RenderJobLike, key: string, index: number, count: number, waitMs: number): Promise<RenderedChunk | undefined> {
  const children = job.children!;
  const id = renderChunkJobId(key, index, count);
  for (const until = Date.now() + waitMs; Date.now() < until; await sleep(POLL_MS)) {
    if (job.signal?.aborted) throw new CancelledError(String(job.signal.reason ?? 'cancelled'));
    const done = (await children.values<ChunkJobResult>()).get(id);
    if (done?.chunk !== undefined) return done;
    await assertNoChunkFailed(children);
  }
  return undefined;
}
