import type { JobsOptions } from 'bullmq';
import { z } from 'zod';
import { canonicalJson } from '../cache/index.js';
import { AppError } from '../errors/index.js';
import { priorities, resolveRenderJobOptions, type RenderJobOptions } from '../queue/index.js';
import { renderTargetSchema } from '../pipeline/index.js';
import type { RenderRegistry } from './render-deps.js';
import { renderJobKey } from './render-job-key.js';
import { renderJobSchema, renderOutputKey, type RenderJobData } from './render-job.schema.js';

/** A render as callers ask for it (API, Live URLs, campaign rows): the engine's render target, queued at a priority. */
export const renderRequestInputSchema = renderTargetSchema.extend({
  priorityClass: renderJobSchema.shape.priorityClass,
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
  /** canonicalJson(data.props), which the key was computed from: fan-out reuses it for the props hash. */
  canonicalProps?: string;
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
 * Pure apart from building (or reusing) the template bundle.
 */
export async function prepareRenderJob(deps: PrepareRenderJobDeps, request: RenderRequestInput): Promise<PreparedRenderJob> {
  const { props, ...base } = request;
  const prepare = await createRenderJobPreparer(deps, base);
  return prepare(props);
}

/**
 * prepareRenderJob for many props of one template and variant: the request,
 * template, variant and bundle are resolved once, and the returned function
 * only validates the props and computes the key. Campaign fan-out calls it
 * for every row of a file and adds the results with `queue.addBulk`.
 */
export async function createRenderJobPreparer(
  deps: PrepareRenderJobDeps,
  request: Omit<RenderRequestInput, 'props'>,
): Promise<(props: unknown) => PreparedRenderJob> {
  const parsed = renderRequestInputSchema.safeParse(request);
  if (!parsed.success) {
    // Field paths only: values may be personal data.
    const fields = parsed.error.issues.map((issue) => issue.path.join('.') || '(root)');
    throw new AppError('INVALID_ARGUMENT', `Invalid render request: ${fields.join(', ')}`, { details: { fields } });
  }
  const req = parsed.data;
  const template = deps.registry.get(req.templateId);
  const variant = deps.registry.resolveVariant(template, req.variant);
  const bundle = await deps.registry.bundle(template.id);
  const opts = { ...(deps.jobOptions ?? resolveRenderJobOptions()), priority: priorities[req.priorityClass] };

  const format = req.format ?? 'mp4';
  return (input) => {
    // Fan-out calls this for every row: one data object of a fixed shape, and the props serialised once.
    const data: RenderJobData = {
      templateId: template.id,
      templateVersion: bundle.version,
      variant: variant.name,
      props: deps.registry.validateProps(template, input) as Record<string, unknown>,
      format,
      priorityClass: req.priorityClass,
    };
    if (req.campaignId !== undefined) data.campaignId = req.campaignId;
    const canonicalProps = canonicalJson(data.props);
    const key = renderJobKey(data, canonicalProps);
    return {
      renderKey: key,
      storageKey: renderOutputKey(key, format),
      name: template.id,
      data,
      opts: { ...opts, jobId: key },
      canonicalProps,
    };
  };
}
