/**
 * One request shape: the queued request (src/renders) and the engine's
 * request (src/pipeline) both extend the pipeline's render target, so they
 * accept and refuse the same template, variant, props and format.
 */
import { describe, expect, it } from 'vitest';
import { renderRequestSchema, renderTargetSchema } from '../../../src/pipeline/index.js';
import { renderRequestInputSchema } from '../../../src/renders/index.js';

const targets: [string, Record<string, unknown>, boolean][] = [
  ['a bare template', { templateId: 'welcome' }, true],
  ['every target field', { templateId: 'welcome', variant: 'square', props: { name: 'Ada' }, format: 'webm' }, true],
  ['an empty template id', { templateId: '' }, false],
  ['a template id over 64 characters', { templateId: 'x'.repeat(65) }, false],
  ['a variant over 32 characters', { templateId: 'welcome', variant: 'v'.repeat(33) }, false],
  ['an unknown format', { templateId: 'welcome', format: 'avi' }, false],
];

describe('render request shapes', () => {
  it.each(targets)('the target, the queued request and the engine request agree on %s', (_, target, ok) => {
    expect(renderTargetSchema.safeParse(target).success).toBe(ok);
    expect(renderRequestInputSchema.safeParse({ ...target, priorityClass: 'api' }).success).toBe(ok);
    expect(renderRequestSchema.safeParse({ ...target, out: 'out.mp4' }).success).toBe(ok);
  });

  it('a queued request needs a priority class, and a campaign id is 1-64 characters', () => {
    expect(renderRequestInputSchema.safeParse({ templateId: 'welcome' }).success).toBe(false);
    expect(renderRequestInputSchema.safeParse({ templateId: 'welcome', priorityClass: 'bulk' }).success).toBe(false);
    expect(renderRequestInputSchema.safeParse({ templateId: 'welcome', priorityClass: 'campaign', campaignId: '' }).success).toBe(false);
    expect(renderRequestInputSchema.safeParse({ templateId: 'welcome', priorityClass: 'campaign', campaignId: 'c'.repeat(64) }).success).toBe(true);
  });

  it('an engine request needs where the result goes', () => {
    expect(renderRequestSchema.safeParse({ templateId: 'welcome' }).success).toBe(false);
  });
});
