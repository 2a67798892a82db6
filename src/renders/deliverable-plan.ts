import { createHash } from 'node:crypto';
import { canonicalJson, deliverableKey } from '../cache/index.js';
import { z } from 'zod';
import { deliverableSpecSchema, type DeliverableSpec } from '../encode/index.js';
import type { PriorityClass } from '../queue/index.js';
import { deliverableStorageKey, type TranscodeJobData } from './transcode-job.schema.js';

/**
 * What is cut from masters of one template for one request or campaign:
 * every deliverable spec of the channels asked for, deduplicated. Stored
 * once in Redis under its hash (the plan id), so the per-master "wanted"
 * set holds a 32-character id, not specs: a 10M-recipient campaign shares
 * one plan.
 */
export interface DeliverablePlan {
  templateId: string;
  /** The template's key data frame in seconds (posters, stills). */
  posterSeconds?: number;
  priorityClass: PriorityClass;
  specs: DeliverableSpec[];
}

/** One deliverable of one master, ready to become a transcode job. */
export interface PlannedDeliverable {
  deliverableKey: string;
  /** Store key of its main file (the one its URL serves). */
  storageKey: string;
  data: TranscodeJobData;
}

/** Builds a plan from the channels' specs; specs shared by channels appear once. */
export function createDeliverablePlan(input: Omit<DeliverablePlan, 'specs'> & { specs: readonly DeliverableSpec[] }): DeliverablePlan {
  const seen = new Set<string>();
  const specs = input.specs.filter((spec) => {
    const id = canonicalJson(spec);
    if (seen.has(id)) return false;
    seen.add(id);
    return true;
  });
  return { ...input, specs };
}

/** Content id of a plan: equal plans share one Redis entry. */
export function planId(plan: DeliverablePlan): string {
  return createHash('sha256').update(canonicalJson(plan)).digest('hex').slice(0, 32);
}

/** The transcode jobs a plan makes from one master. */
export function planDeliverables(plan: DeliverablePlan, renderKey: string, masterStorageKey: string): PlannedDeliverable[] {
  return plan.specs.map((spec) => {
    const key = deliverableKey(renderKey, spec);
    return {
      deliverableKey: key,
      storageKey: deliverableStorageKey(key, spec.name),
      data: {
        renderKey,
        masterStorageKey,
        templateId: plan.templateId,
        spec,
        ...(plan.posterSeconds === undefined ? {} : { posterSeconds: plan.posterSeconds }),
        priorityClass: plan.priorityClass,
      },
    };
  });
}

const storedPlanSchema = z.object({
  templateId: z.string(),
  posterSeconds: z.number().optional(),
  priorityClass: z.enum(['live', 'api', 'campaign']),
  specs: z.array(deliverableSpecSchema),
});

/** A plan as stored under its id (the requester writes it, the render worker's release reads it). */
export const encodePlan = (plan: DeliverablePlan): string => JSON.stringify(plan);

/** The stored form back (checked: Redis is not trusted to hold what was written). */
export const decodePlan = (raw: string): DeliverablePlan => createDeliverablePlan(storedPlanSchema.parse(JSON.parse(raw)));
