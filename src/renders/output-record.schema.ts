import { z } from 'zod';

/**
 * One entry of the output index (Redis): what is known about a render key's
 * output, so it can be served, expired and erased later. No personal data.
 */
export const outputRecordSchema = z.object({
  key: z.string(),
  state: z.enum(['queued', 'rendering', 'done', 'failed']),
  /** ObjectStore key of the file, once done. */
  storageKey: z.string().optional(),
  size: z.number().int().nonnegative().optional(),
  contentType: z.string().optional(),
  /** Absent only on a record re-created from the store by key alone (findStoredOutput). */
  templateId: z.string().optional(),
  templateVersion: z.string().optional(),
  variant: z.string().optional(),
  campaignId: z.string().optional(),
  /** For a channel deliverable: the master it was cut from (erasure and dedupe follow it). */
  renderKey: z.string().optional(),
  /** For a channel deliverable: the file name in its set (poster.jpg, preview.gif, master.m3u8, ...). */
  name: z.string().optional(),
  /** For a channel deliverable: the encoder pipeline that made it (cpu, nvidia, ...), or `passthrough`. */
  pipeline: z.string().optional(),
  recipientId: z.string().optional(),
  error: z.string().optional(),
  updatedAt: z.number().int(),
});

export type OutputRecord = z.output<typeof outputRecordSchema>;
