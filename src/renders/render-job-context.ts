import type { JobLike, JobLogger } from '../queue/index.js';
import type { JoinChunks, OpenChunkStream, RenderRequest, RenderResult, SplitOptions } from '../pipeline/index.js';
import type { ObjectStore } from '../storage/index.js';
import type { CaptureProfiles } from './capture-profiles.js';
import type { RenderJobProgress } from './get-render-status.js';
import type { RenderStreamWriter } from './render-stream-writer.js';
import type { RenderOutputIndex } from './render-deps.js';
import type { RenderJobData } from './render-job.schema.js';

/** What the processor needs; the worker wires it once per process. */
export interface RenderJobContext {
  renderVideo: (request: RenderRequest) => Promise<RenderResult>;
  store: Pick<ObjectStore, 'put' | 'head' | 'delete'>;
  index: RenderOutputIndex;
  /** Renders are written here first, then moved into the store. */
  workDir: string;
  log?: JobLogger;
  /** Called once a job's output is in the store (also when it already was). */
  /**
   * After publishing; `cached` when the output was found stored before this
   * job rendered anything (its index record had expired, or another job made
   * it): counted as a cache hit, not a render, by a campaign.
   */
  onRendered?: (data: RenderJobData, renderKey: string, cached?: boolean) => Promise<void> | void;
  /** Called when a job fails for good (no retry left, or not retryable). */
  onFailed?: (data: RenderJobData, renderKey: string, error: unknown) => Promise<void> | void;
  /** Minimum time between two progress reports. Default 500 ms. */
  progressIntervalMs?: number;
  /**
   * Live jobs stream their MP4 through this while it encodes (cold Live URLs
   * read it); `startedAt` is the render's start (`clock`): an erasure of the
   * key from then on stops the stream.
   */
  openStream?: (renderKey: string, attempt: number, startedAt: number) => RenderStreamWriter;
  /** True when the key's recipient was erased since `startedAt` (ms, from `clock`): the render must not be published. */
  wasErased?: (renderKey: string, startedAt: number) => Promise<boolean>;
  /**
   * Now, in ms on Redis's clock (redisNowMs), which erasures write their key
   * tombstones on: a render's start is read from it, so `wasErased` compares
   * two times of one clock. Wire it with `wasErased` and `openStream`;
   * absent, this host's Date.now().
   */
  clock?: () => Promise<number>;
  /** Split renders (docs/split-render.md): long MP4 masters cut into chunk jobs; absent, every render stays whole. */
  split?: RenderSplitContext;
  /**
   * Capture profiles per template version: whole MP4 renders and joins
   * record theirs, splits are cut by them (by frame count without one).
   * Absent, nothing is recorded and every split is cut by frame count.
   */
  captureProfiles?: CaptureProfiles;
}

/** The parts of a job the processor reads: BullMQ's Job fits, so does a test object. */
export type RenderJobLike = JobLike<RenderJobProgress>;

export interface RenderJobResult {
  renderKey: string;
  storageKey: string;
  size: number;
  contentType: string;
  /** True when the output existed already and nothing was rendered. */
  skipped: boolean;
}


/** What a render worker needs to split renders (docs/split-render.md); absent, every render stays whole. */
export interface RenderSplitContext {
  /** RENDER_SPLIT_MIN_FRAMES, and RENDER_SPLIT_CHUNKS: the most chunks one render is cut into. */
  options: SplitOptions;
  /** The composition's length in frames (the template registry's). */
  frameCount: (templateId: string) => number;
  /** Joins chunks into one MP4 (the render engine's). */
  joinChunks: JoinChunks;
  /**
   * Render slots that would take a chunk now, besides the asking master's
   * own: 0 while another render job waits (a split costs farm CPU, each chunk
   * pays a render's fixed cost plus the join, so it only pays off on idle
   * workers: docs/capacity.md section 5). A master is cut into 1 + this many
   * chunks, at most `options.chunks` (idleRenderSlots). Absent: always
   * `options.chunks`.
   */
  idleSlots?: () => Promise<number>;
  /**
   * Opens the stream of a split Live master (the render engine's): with it,
   * a cold Live master that streams is split too, renders its first chunk
   * itself and streams the others as they come (stream-split-render.ts);
   * absent, such a master renders whole.
   */
  openChunkStream?: OpenChunkStream;
  /** How long a streaming master waits in its slot for its next chunk before it parks and its stream ends (RENDER_SPLIT_STREAM_WAIT_MS). Default 60 s. */
  streamWaitMs?: number;
  /** Where the chunks wait for the join (the render store): read, then removed. */
  store: Pick<ObjectStore, 'get' | 'localPath' | 'delete'>;
}
