import { useCurrentFrame } from '../../src/composition/index.js';
import { formatInteger } from '../_shared/format.js';
import { INTER_STACK } from '../_shared/fonts.js';
import { enter, fixed3, px } from '../_shared/motion.js';
import { fitBlockFontSize, rectStyle, type Rect } from '../_shared/rect.js';
import type { Tier } from '../_shared/tiers.js';
import { PROGRAMME } from './schema.js';

/** Props of {@link Headline}. */
export interface HeadlineProps {
  rect: Rect;
  titleSize: number;
  firstName: string;
  nextTier: Tier;
  pointsToNextTier: number;
  memberSince: number;
}

/** The headline sentence, which depends on whether the next tier is already reached. */
export function headlineText(firstName: string, nextTier: Tier, pointsToNextTier: number): string {
  return pointsToNextTier > 0
    ? `${firstName}, you're ${formatInteger(pointsToNextTier)} points from ${nextTier}.`
    : `${firstName}, you've reached ${nextTier}.`;
}

/**
 * Eyebrow ("Aurora Rewards · Member since 2017") and the headline. The
 * headline's size is fitted to its text and box, so a 40-character name
 * wraps instead of running out of the frame.
 */
export function Headline({ rect, titleSize, firstName, nextTier, pointsToNextTier, memberSince }: HeadlineProps) {
  const frame = useCurrentFrame();
  const eyebrowIn = enter(frame, 2, 18);
  const titleIn = enter(frame, 10, 24);
  const text = headlineText(firstName, nextTier, pointsToNextTier);
  const eyebrowSize = Math.round(titleSize * 0.4);
  const size = fitBlockFontSize(text.length, rect.w, rect.h - eyebrowSize * 1.9, titleSize, { lineHeight: 1.08 });

  return (
    <div
      style={{
        ...rectStyle(rect),
        display: 'flex',
        flexDirection: 'column',
        justifyContent: 'flex-end',
        fontFamily: INTER_STACK,
      }}
    >
      <div
        style={{
          fontSize: `${eyebrowSize}px`,
          fontWeight: 700,
          letterSpacing: '0.12em',
          textTransform: 'uppercase',
          lineHeight: 1.2,
          color: '#f5c16c',
          marginBottom: `${Math.round(eyebrowSize * 0.7)}px`,
          opacity: fixed3(eyebrowIn),
        }}
      >
        {`${PROGRAMME} \u00b7 Member since ${memberSince}`}
      </div>
      <div
        style={{
          fontSize: `${size}px`,
          fontWeight: 800,
          lineHeight: 1.08,
          letterSpacing: '-0.025em',
          color: '#ffffff',
          overflowWrap: 'anywhere',
          opacity: fixed3(titleIn),
          transform: `translateY(${px((1 - titleIn) * size * 0.5)})`,
        }}
      >
        {text}
      </div>
    </div>
  );
}
