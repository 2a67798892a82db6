import { useCurrentFrame } from '../../src/composition/index.js';
import { formatInteger } from '../_shared/format.js';
import { INTER_STACK } from '../_shared/fonts.js';
import { enter } from '../_shared/motion.js';
import { fitFontSize, type Rect } from '../_shared/rect.js';
import { cardStyle, labelStyle } from './card-chrome.js';

/** Props of {@link StatCard}. */
export interface StatCardProps {
  rect: Rect;
  unit: number;
  label: string;
  value: number;
  caption: string;
  /** Colour of the figure and of the accent rule. */
  accent: string;
  /** Frames the count-up takes, after the card has started to rise. */
  countFrames: number;
}

/**
 * A card with one big figure that counts up from 0 (nights stayed, points
 * earned). The figure's size is fitted to the final formatted value, and the
 * digits are tabular, so nothing jumps while it counts; the count is rounded
 * and clamped, so from the last count frame on it prints the same string.
 */
export function StatCard({ rect, unit: frameUnit, label, value, caption, accent, countFrames }: StatCardProps) {
  const frame = useCurrentFrame();
  const appear = enter(frame, 0, 18);
  const counted = Math.round(value * enter(frame, 6, countFrames));
  const unit = Math.min(frameUnit, rect.w / 50);
  const pad = Math.round(unit * 3.2);
  const finalText = formatInteger(value);
  // At least 4 glyphs wide, so a "3" does not grow to fill the card.
  const valueSize = fitFontSize(rect.w - 2 * pad, Math.max(4, finalText.length), rect.h * 0.42, 0.62);

  return (
    <div
      style={{
        ...cardStyle(rect, frameUnit, appear),
        padding: `${pad}px`,
        display: 'flex',
        flexDirection: 'column',
        justifyContent: 'space-between',
        fontFamily: INTER_STACK,
      }}
    >
      <div style={{ display: 'flex', alignItems: 'center', gap: `${Math.round(unit * 1.2)}px` }}>
        <div
          style={{
            width: `${Math.round(unit * 3.4)}px`,
            height: `${Math.max(2, Math.round(unit * 0.5))}px`,
            borderRadius: '999px',
            background: accent,
          }}
        />
        <div style={labelStyle(unit)}>{label}</div>
      </div>
      <div
        style={{
          fontSize: `${valueSize}px`,
          fontWeight: 800,
          lineHeight: 1,
          letterSpacing: '-0.03em',
          fontVariantNumeric: 'tabular-nums',
          color: accent,
          whiteSpace: 'nowrap',
        }}
      >
        {formatInteger(counted)}
      </div>
      <div
        style={{
          fontSize: `${Math.round(unit * 2.5)}px`,
          fontWeight: 400,
          lineHeight: 1.3,
          color: 'rgba(255, 255, 255, 0.72)',
        }}
      >
        {caption}
      </div>
    </div>
  );
}
