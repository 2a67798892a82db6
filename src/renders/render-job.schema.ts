import { z } from 'zod';
import { outputFormatSchema } from '../encode/index.js';

/** Recipients a job carries at most; more (many rows with the same props) wait in Redis sets instead. */
export const DELIVERIES_PER_JOB = 50;

/**
 * Data of one render job (job id = render key). It carries personal data
 * (props), which is why finished jobs are removed after a retention period.
 * Kept small: a 10M-recipient campaign must fit a normal Redis.
 */
export const renderJobSchema = z.object({
  templateId: z.string().min(1).max(64),
  /** The bundle version the key was computed with. */
  templateVersion: z.string().min(1).max(64),
  variant: z.string().min(1).max(32),
  props: z.record(z.string(), z.unknown()),
  format: outputFormatSchema.default('mp4'),
  priorityClass: z.enum(['live', 'api', 'campaign']),
  /** Set by campaign fan-out; ids only, never personal data. */
  campaignId: z.string().max(64).optional(),
  /**
   * Set by campaign fan-out with campaignId: the fan-out chunk that claimed
   * this key, whose key hash the campaign's hooks count the outcome in
   * (src/redis/keys.ts campaignChunkKeys; the hashes are per chunk so that
   * they can be deleted once settled).
   */
  campaignChunk: z.number().int().min(0).optional(),
  /**
   * Set by campaign fan-out on the jobs it adds: each recipient waiting on
   * this master, with the channels it serves them, for their `delivered`
   * events (src/engagement). Carried here rather than in keys of their own:
   * a separate set per master cost ~800 bytes per queued job in Redis.
   */
  deliveries: z.array(z.tuple([z.string(), z.array(z.string())])).max(DELIVERIES_PER_JOB).optional(),
  /**
   * Set on the chunk jobs of a split render (docs/split-render.md), children
   * of the master's job: frames [start, end) of the master, chunk `index` of
   * `count`, and when the split began (erasures after it stop every chunk).
   */
  chunk: z
    .object({
      index: z.number().int().min(0),
      count: z.number().int().min(2),
      start: z.number().int().min(0),
      end: z.number().int().min(1),
      splitAt: z.number().int().min(0),
      /** A chunk of a Live master that streams: the streamed master's video settings (RenderRequest.streamable). */
      streamable: z.boolean().optional(),
    })
    .refine((c) => c.index < c.count && c.start < c.end, 'chunk index below count and start below end')
    .optional(),
});

export type RenderJobData = z.output<typeof renderJobSchema>;

/** Where a render's output is stored: named only by its key. */
export function renderOutputKey(renderKey: string, format: string): string {
  return `renders/${renderKey}.${format}`;
}

/** The BullMQ job name of the chunk jobs of split renders (masters keep their producers' names). */
export const RENDER_CHUNK_JOB_NAME = 'render-chunk';

/** The job id of chunk `index` of `count` of a split render (a child of the job `renderKey`). */
export function renderChunkJobId(renderKey: string, index: number, count: number): string {
  return `${renderKey}:chunk:${index}of${count}`;
}

/** The chunk count in a chunk job id (renderChunkJobId), or undefined for any other id. */
export function chunkCountOfJobId(jobId: string): number | undefined {
  const match = /:chunk:\d+of(\d+)$/.exec(jobId);
  return match ? Number(match[1]) : undefined;
}

/**
 * Where a chunk of a split render waits for the join: under the render key,
 * so that an erasure's sweep of `renders/<key>` takes it too. Removed after the join.
 */
export function renderChunkKey(renderKey: string, index: number, count: number): string {
  return `renders/${renderKey}.chunk-${index}of${count}.mp4`;
}
