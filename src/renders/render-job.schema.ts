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
   * Set by campaign fan-out on the jobs it adds: each recipient waiting on
   * this master, with the channels it serves them, for their `delivered`
   * events (src/engagement). Carried here rather than in keys of their own:
   * a separate set per master cost ~800 bytes per queued job in Redis.
   */
  deliveries: z.array(z.tuple([z.string(), z.array(z.string())])).max(DELIVERIES_PER_JOB).optional(),
});

export type RenderJobData = z.output<typeof renderJobSchema>;

/** Where a render's output is stored: named only by its key. */
export function renderOutputKey(renderKey: string, format: string): string {
  return `renders/${renderKey}.${format}`;
}
