import { INTER_STACK } from '../_shared/fonts.js';
import { fixed3 } from '../_shared/motion.js';
import { rectStyle } from '../_shared/rect.js';
import { tierPalette } from '../_shared/tiers.js';
import type { MeterProps } from './progress-bar.js';
import { TierChip } from './tier-chip.js';

/** Ring geometry in the SVG's 100x100 view box. */
const RADIUS = 42;
const STROKE = 7;
const CIRCUMFERENCE = 2 * Math.PI * RADIUS;

/**
 * The progress ring of the square layout: the arc sweeps clockwise from the
 * top, with the current tier, the percentage and the goal in its centre.
 */
export function ProgressRing({ rect, unit, share, fill, appear, currentTier, nextTier }: MeterProps) {
  const from = tierPalette(currentTier);
  const to = tierPalette(nextTier);
  const swept = share * fill;
  const percentSize = Math.round(rect.w * 0.2);
  // The SVG id must be unique in the page; one ring is drawn per frame.
  const gradientId = 'loyalty-ring-gradient';

  return (
    <div style={{ ...rectStyle(rect), fontFamily: INTER_STACK, opacity: fixed3(appear) }}>
      <svg viewBox="0 0 100 100" width="100%" height="100%" style={{ position: 'absolute', inset: 0 }}>
        <defs>
          <linearGradient id={gradientId} x1="0" y1="0" x2="1" y2="1">
            <stop offset="0%" stopColor={from.dark} />
            <stop offset="100%" stopColor={to.light} />
          </linearGradient>
        </defs>
        <circle cx="50" cy="50" r={RADIUS} fill="none" stroke="rgba(255, 255, 255, 0.10)" strokeWidth={STROKE} />
        <circle
          cx="50"
          cy="50"
          r={RADIUS}
          fill="none"
          stroke={`url(#${gradientId})`}
          strokeWidth={STROKE}
          strokeLinecap="round"
          strokeDasharray={`${fixed3(CIRCUMFERENCE)} ${fixed3(CIRCUMFERENCE)}`}
          strokeDashoffset={fixed3(CIRCUMFERENCE * (1 - swept))}
          transform="rotate(-90 50 50)"
          opacity={swept > 0 ? 1 : 0}
        />
      </svg>
      <div
        style={{
          position: 'absolute',
          inset: 0,
          display: 'flex',
          flexDirection: 'column',
          alignItems: 'center',
          justifyContent: 'center',
          gap: `${Math.round(unit * 1.4)}px`,
        }}
      >
        <TierChip tier={currentTier} unit={unit} progress={1} solid />
        <div
          style={{
            fontSize: `${percentSize}px`,
            fontWeight: 800,
            lineHeight: 1,
            letterSpacing: '-0.03em',
            fontVariantNumeric: 'tabular-nums',
            color: '#ffffff',
          }}
        >
          {`${Math.round(share * 100 * fill)}%`}
        </div>
        <div
          style={{
            fontSize: `${Math.round(unit * 2.6)}px`,
            fontWeight: 700,
            letterSpacing: '0.08em',
            textTransform: 'uppercase',
            color: to.glow,
          }}
        >
          {`to ${nextTier}`}
        </div>
      </div>
    </div>
  );
}
