import { z } from 'zod';
import { deliverableSpecSchema } from '../encode/index.js';
import { KEY_PATTERN } from '../cache/index.js';

/**
 * Data of one transcode job (job id = deliverable key): cut one deliverable
 * from one stored master. No props and no personal data: only keys, the
 * template id and the spec, so these jobs may be kept and logged freely.
 */
export const transcodeJobSchema = z.object({
  renderKey: z.string().regex(KEY_PATTERN),
  /** ObjectStore key of the master (renders/<renderKey>.mp4). */
  masterStorageKey: z.string().min(1).max(200),
  templateId: z.string().min(1).max(64),
  spec: deliverableSpecSchema,
  /** The template's key data frame, in seconds: default time of posters and stills. */
  posterSeconds: z.number().nonnegative().optional(),
  priorityClass: z.enum(['live', 'api', 'campaign']),
});

export type TranscodeJobData = z.output<typeof transcodeJobSchema>;

/** Where a deliverable's files are stored: `deliverables/<key>/<name>` (HLS keeps its tree below). */
export function deliverableStorageKey(deliverableKey: string, name: string): string {
  return `deliverables/${deliverableKey}/${name}`;
}
