import { z } from 'zod';

/** Loyalty tiers, lowest first: the order matters for progress copy. */
export const TIERS = ['Silver', 'Gold', 'Platinum', 'Diamond'] as const;

/** Zod enum of the loyalty tiers, shared by every hospitality template. */
export const tierSchema = z.enum(TIERS);

export type Tier = z.infer<typeof tierSchema>;

/** Colours of one tier: a metallic gradient for badges and a text colour on it. */
export interface TierPalette {
  /** Light end of the badge gradient. */
  light: string;
  /** Dark end of the badge gradient. */
  dark: string;
  /** Text colour that reads on the badge. */
  ink: string;
  /** Accent for lines and glows on the dark background. */
  glow: string;
}

const PALETTES: Record<Tier, TierPalette> = {
  Silver: { light: '#f1f3f6', dark: '#9aa4b1', ink: '#1b2230', glow: '#c9d1dc' },
  Gold: { light: '#fbe3a4', dark: '#d39a3a', ink: '#2a1a05', glow: '#f3c46b' },
  Platinum: { light: '#f4f6f8', dark: '#8fa6bf', ink: '#14202e', glow: '#b9cde2' },
  Diamond: { light: '#d9f6ff', dark: '#5aa9f0', ink: '#06223d', glow: '#8fd3ff' },
};

/** The palette of a tier. */
export function tierPalette(tier: Tier): TierPalette {
  return PALETTES[tier];
}

/** CSS gradient of a tier badge. */
export function tierGradient(tier: Tier): string {
  const p = PALETTES[tier];
  return `linear-gradient(135deg, ${p.light} 0%, ${p.dark} 100%)`;
}
