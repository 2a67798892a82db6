import type { JobsOptions } from 'bullmq';
import { z } from 'zod';
import { AppError } from '../errors/index.js';
import { priorities } from './queue-names.js';
import type { RenderRegistry } from './render-deps.js';
import { renderJobKey } from './render-job-key.js';
import { resolveRenderJobOptions, type RenderJobOptions } from './render-job-options.js';
import { renderJobSchema, renderOutputKey, type RenderJobData } from './render-job.schema.js';

/** A render as callers ask for it (API, Live URLs, campaign rows). */
export const renderRequestInputSchema = z.object({
  templateId: z.string().min(1).max(64),
  variant: z.string().min(1).max(32).optional(),
  props: z.unknown().optional(),
  format: renderJobSchema.shape.format.optional(),
  priorityClass: z.enum(['live', 'api', 'campaign']),
  campaignId: z.string().min(1).max(64).optional(),
});

export type RenderRequestInput = z.input<typeof renderRequestInputSchema>;

/** Everything needed to add the job, with no Redis round trip made yet. */
export interface PreparedRenderJob {
  renderKey: string;
  /** ObjectStore key the output will have. */
  storageKey: string;
  /** BullMQ job name: the template id (never personal data). */
  name: string;
  data: RenderJobData;
  opts: JobsOptions & RenderJobOptions & { jobId: string; priority: number };
}

export interface PrepareRenderJobDeps {
  registry: RenderRegistry;
  /** Default: resolveRenderJobOptions() (3 attempts, exponential backoff with jitter, retention by age). */
  jobOptions?: RenderJobOptions;
}

/**
 * Validates a render request and computes its key: template, variant and
 * props are checked (INVALID_ARGUMENT, TEMPLATE_NOT_FOUND, VARIANT_NOT_FOUND,
 * INVALID_PROPS), defaults are filled in so equal renders get equal keys, and
 * the key uses the template's bundle version so a code change re-renders.
 *
 * Pure apart from building (or reusing) the template bundle: campaign fan-out
 * calls it per row and adds the results with `queue.addBulk` in chunks.
 */
export async function prepareRenderJob(deps: PrepareRenderJobDeps, request: RenderRequestInput): Promise<PreparedRenderJob> {
  const parsed = renderRequestInputSchema.safeParse(request);
  if (!parsed.success) {
    // Field paths only: values may be personal data.
    const fields = parsed.error.issues.map((issue) => issue.path.join('.') || '(root)');
    throw new AppError('INVALID_ARGUMENT', `Invalid render request: ${fields.join(', ')}`, { details: { fields } });
  }
  const req = parsed.data;
  const template = deps.registry.get(req.templateId);
  const variant = deps.registry.resolveVariant(template, req.variant);
  const props = deps.registry.validateProps(template, req.props) as Record<string, unknown>;
  const bundle = await deps.registry.bundle(template.id);

  const data: RenderJobData = {
    templateId: template.id,
    templateVersion: bundle.version,
    variant: variant.name,
    props,
    format: req.format ?? 'mp4',
    priorityClass: req.priorityClass,
    ...(req.campaignId === undefined ? {} : { campaignId: req.campaignId }),
  };
  const key = renderJobKey(data);
  return {
    renderKey: key,
    storageKey: renderOutputKey(key, data.format),
    name: template.id,
    data,
    opts: { ...(deps.jobOptions ?? resolveRenderJobOptions()), jobId: key, priority: priorities[req.priorityClass] },
  };
}
