import { z } from 'zod';

/** Props of the welcome-clip template; every field is bounded. */
export const welcomeClipSchema = z.object({
  firstName: z.string().trim().min(1).max(40),
  /** Bonus points given on joining, counted up on screen. */
  welcomePoints: z.number().int().min(0).max(1_000_000),
  cta: z.object({ label: z.string().trim().min(1).max(32) }),
});

/** Validated props of the welcome-clip template. */
export type WelcomeClipProps = z.output<typeof welcomeClipSchema>;

/** Props used for previews and when a field is not given. */
export const welcomeClipDefaults: z.input<typeof welcomeClipSchema> = {
  firstName: 'Dana',
  welcomePoints: 2_000,
  cta: { label: 'Start exploring' },
};

/** The programme the clip welcomes members to. */
export const PROGRAMME = 'Aurora Rewards';

/**
 * Start frames (30 fps) of the overlay. Everything has arrived by frame 150;
 * the footage keeps moving under it to the end.
 */
export const TIMELINE = {
  eyebrow: 10,
  name: 18,
  gift: 58,
  countFrom: 66,
  countFrames: 44,
  cta: 118,
} as const;
