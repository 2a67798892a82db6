import { z } from 'zod';
import { remoteImageUrl } from '../../src/composition/index.js';
import { tierSchema } from '../_shared/tiers.js';

/**
 * Props of the year-recap template. Every field is bounded: the schema is
 * the only gate between a CSV row or an API call and a render, so it also
 * caps what a layout has to fit.
 */
export const yearRecapSchema = z.object({
  firstName: z.string().trim().min(1).max(40),
  memberTier: tierSchema,
  nightsStayed: z.number().int().min(0).max(366),
  pointsEarned: z.number().int().min(0).max(10_000_000),
  topDestination: z.string().trim().min(1).max(60),
  /** Photo of the top destination; without it a gradient card is shown. */
  heroImageUrl: remoteImageUrl().optional(),
  cta: z.object({ label: z.string().trim().min(1).max(32) }),
});

/** Validated props of the year-recap template. */
export type YearRecapProps = z.output<typeof yearRecapSchema>;

/** Props used for previews and when a field is not given. */
export const yearRecapDefaults: z.input<typeof yearRecapSchema> = {
  firstName: 'Dana',
  memberTier: 'Platinum',
  nightsStayed: 42,
  pointsEarned: 128_450,
  topDestination: 'Lisbon, Portugal',
  cta: { label: 'Book your next stay' },
};

/** The brand the recap speaks for. */
export const BRAND = 'Aurora Hotels';

/**
 * Start frames of the scenes (30 fps). Every animation ends by frame 175, and
 * frames 180-239 are a still hold: their DOM output is identical.
 */
export const TIMELINE = {
  greeting: 0,
  headerMove: 42,
  nights: 60,
  points: 82,
  destination: 106,
  closing: 132,
  holdFrom: 180,
} as const;
