import { z } from 'zod';
import { TIERS, tierSchema } from '../_shared/tiers.js';

/**
 * Props of the loyalty-tier template. Every field is bounded, and the next
 * tier must be above the current one: the copy ("you're N points from X")
 * would be nonsense otherwise.
 */
export const loyaltyTierSchema = z
  .object({
    firstName: z.string().trim().min(1).max(40),
    currentTier: tierSchema,
    nextTier: tierSchema,
    points: z.number().int().min(0).max(10_000_000),
    pointsToNextTier: z.number().int().min(0).max(1_000_000),
    memberSince: z.number().int().min(1990).max(2030),
  })
  .refine((p) => TIERS.indexOf(p.nextTier) > TIERS.indexOf(p.currentTier), {
    path: ['nextTier'],
    message: 'nextTier must be a higher tier than currentTier',
  });

/** Validated props of the loyalty-tier template. */
export type LoyaltyTierProps = z.output<typeof loyaltyTierSchema>;

/** Props used for previews and when a field is not given. */
export const loyaltyTierDefaults: z.input<typeof loyaltyTierSchema> = {
  firstName: 'Dana',
  currentTier: 'Gold',
  nextTier: 'Platinum',
  points: 38_400,
  pointsToNextTier: 11_600,
  memberSince: 2017,
};

/** The loyalty programme the video speaks for. */
export const PROGRAMME = 'Aurora Rewards';

/**
 * Start frames (30 fps). The fill ends at frame 102, the closing line at
 * 130; frames 150-179 (the last second) are a still hold.
 */
export const TIMELINE = {
  headline: 0,
  meter: 22,
  fillStart: 36,
  fillFrames: 66,
  stats: 44,
  closing: 108,
  holdFrom: 150,
} as const;

/**
 * Share of the way to the next tier, in [0, 1]. Below 100% it never rounds
 * up to a full bar, so a member 1 point short does not see "100%".
 */
export function progressShare(points: number, pointsToNextTier: number): number {
  if (pointsToNextTier <= 0) return 1;
  return Math.min(0.99, points / (points + pointsToNextTier));
}
