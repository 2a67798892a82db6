import { spring, useCurrentFrame, useVideoConfig } from '../../src/composition/index.js';
import { INTER_STACK } from '../_shared/fonts.js';
import { enter, fixed3, px } from '../_shared/motion.js';
import type { Rect } from '../_shared/rect.js';
import { tierGradient, tierPalette, type Tier } from '../_shared/tiers.js';
import { cardStyle } from './card-chrome.js';

/** Props of {@link ClosingCard}. */
export interface ClosingCardProps {
  rect: Rect;
  unit: number;
  tier: Tier;
  ctaLabel: string;
}

/** Frames after which the badge's spring is snapped to rest. */
const BADGE_SETTLE = 30;

/**
 * The closing scene: the member's tier badge pops in, a thank-you line, and
 * the call-to-action button. The spring is snapped to exactly 1 after
 * BADGE_SETTLE frames (it is within a hair of it by then), because a spring
 * only approaches rest and the hold needs byte-identical frames.
 */
export function ClosingCard({ rect, unit: frameUnit, tier, ctaLabel }: ClosingCardProps) {
  const frame = useCurrentFrame();
  const { fps } = useVideoConfig();
  const appear = enter(frame, 0, 18);
  const pop =
    frame >= BADGE_SETTLE ? 1 : spring({ frame: Math.max(0, frame - 6), fps, config: { damping: 11, stiffness: 150, mass: 0.8 } });
  const lineIn = enter(frame, 10, 18);
  const ctaIn = enter(frame, 18, 18);
  // Sized from the card as well as the frame: the square grid's cards are narrow.
  const unit = Math.min(frameUnit, rect.w / 50);
  const pad = Math.round(unit * 3.2);
  const palette = tierPalette(tier);
  const badgeSize = Math.round(unit * 2.6);

  return (
    <div
      style={{
        ...cardStyle(rect, frameUnit, appear),
        padding: `${pad}px`,
        display: 'flex',
        flexDirection: 'column',
        justifyContent: 'space-between',
        alignItems: 'flex-start',
        fontFamily: INTER_STACK,
      }}
    >
      <div
        style={{
          display: 'flex',
          alignItems: 'center',
          gap: `${Math.round(badgeSize * 0.6)}px`,
          padding: `${Math.round(badgeSize * 0.5)}px ${Math.round(badgeSize * 1.1)}px`,
          borderRadius: '999px',
          background: tierGradient(tier),
          boxShadow: `0 0 ${Math.round(unit * 4)}px ${palette.glow}55`,
          color: palette.ink,
          fontSize: `${badgeSize}px`,
          fontWeight: 800,
          letterSpacing: '0.12em',
          textTransform: 'uppercase',
          lineHeight: 1,
          whiteSpace: 'nowrap',
          transformOrigin: 'left center',
          transform: `scale(${fixed3(Math.max(0, pop))})`,
        }}
      >
        <div
          style={{
            width: `${Math.round(badgeSize * 0.55)}px`,
            height: `${Math.round(badgeSize * 0.55)}px`,
            background: palette.ink,
            transform: 'rotate(45deg)',
          }}
        />
        {`${tier} member`}
      </div>
      <div
        style={{
          fontSize: `${Math.round(unit * 3.6)}px`,
          fontWeight: 700,
          lineHeight: 1.2,
          letterSpacing: '-0.01em',
          color: '#ffffff',
          opacity: fixed3(lineIn),
          transform: `translateY(${px((1 - lineIn) * unit * 2)})`,
        }}
      >
        Thank you for an unforgettable year.
      </div>
      <div
        style={{
          maxWidth: '100%',
          boxSizing: 'border-box',
          padding: `${Math.round(unit * 1.8)}px ${Math.round(unit * 3.2)}px`,
          borderRadius: '999px',
          background: 'linear-gradient(135deg, #ffd98a 0%, #f0a94b 100%)',
          boxShadow: '0 10px 28px rgba(240, 169, 75, 0.35)',
          color: '#1a1330',
          fontSize: `${Math.round(unit * 2.9)}px`,
          fontWeight: 700,
          lineHeight: 1.1,
          whiteSpace: 'nowrap',
          overflow: 'hidden',
          textOverflow: 'ellipsis',
          opacity: fixed3(ctaIn),
          transform: `translateY(${px((1 - ctaIn) * unit * 2)})`,
        }}
      >
        {ctaLabel}
      </div>
    </div>
  );
}
