import { deliverableKey, renderKey } from '../cache/index.js';
import type { RenderJobData } from './render-job.schema.js';

/**
 * The job id and cache key of a render job. The master (mp4) is keyed by the
 * plain render key (one master render per render key). Other formats of the same props are
 * other files, so they get a deliverable key derived from the master's:
 * without it an mp4 and a gif of the same props would share a job id, and the
 * second request would be swallowed by BullMQ's jobId dedupe.
 * `canonicalProps`: canonicalJson(data.props), when the caller has it already.
 */
export function renderJobKey(data: Pick<RenderJobData, 'templateId' | 'templateVersion' | 'variant' | 'props' | 'format'>, canonicalProps?: string): string {
  const master = renderKey(data, canonicalProps);
  return data.format === 'mp4' ? master : deliverableKey(master, { format: data.format });
}
