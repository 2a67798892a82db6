import type { CSSProperties } from 'react';
import { fixed3 } from '../_shared/motion.js';
import { tierGradient, tierPalette, type Tier } from '../_shared/tiers.js';

/** Props of {@link TierChip}. */
export interface TierChipProps {
  tier: Tier;
  unit: number;
  /** Entrance progress, 0 to 1. */
  progress: number;
  /** A reached tier is solid; the goal is outlined in its colour. */
  solid: boolean;
  style?: CSSProperties;
}

/** A small pill with the tier name, in the tier's metal. */
export function TierChip({ tier, unit, progress, solid, style }: TierChipProps) {
  const palette = tierPalette(tier);
  const size = Math.round(unit * 2.4);
  return (
    <div
      style={{
        display: 'inline-block',
        padding: `${Math.round(size * 0.5)}px ${Math.round(size * 1)}px`,
        borderRadius: '999px',
        background: solid ? tierGradient(tier) : 'rgba(255, 255, 255, 0.04)',
        border: `2px solid ${solid ? 'rgba(255, 255, 255, 0)' : palette.glow}`,
        color: solid ? palette.ink : palette.glow,
        fontSize: `${size}px`,
        fontWeight: 800,
        letterSpacing: '0.12em',
        textTransform: 'uppercase',
        lineHeight: 1,
        whiteSpace: 'nowrap',
        opacity: fixed3(progress),
        ...style,
      }}
    >
      {tier}
    </div>
  );
}
