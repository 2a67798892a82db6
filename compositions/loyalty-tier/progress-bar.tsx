import { INTER_STACK } from '../_shared/fonts.js';
import { fixed3, px } from '../_shared/motion.js';
import { rectStyle, type Rect } from '../_shared/rect.js';
import { tierPalette, type Tier } from '../_shared/tiers.js';
import { TierChip } from './tier-chip.js';

/** Props shared by the progress meters. */
export interface MeterProps {
  rect: Rect;
  unit: number;
  /** Final share of the way to the next tier, 0 to 1. */
  share: number;
  /** Fill animation, 0 to 1 (the bar shows share x fill). */
  fill: number;
  /** Entrance of the track and the chips, 0 to 1. */
  appear: number;
  currentTier: Tier;
  nextTier: Tier;
}

/**
 * The progress bar: across the frame in landscape (current tier under its
 * left end, next tier under its right end), upright in portrait (it fills
 * upwards, from the current tier at the bottom to the next one on top). A
 * glowing knob and the percentage ride on the end of the fill.
 */
export function ProgressBar(props: MeterProps & { direction: 'across' | 'upright' }) {
  const { rect, unit, share, fill, appear, currentTier, nextTier, direction } = props;
  const across = direction === 'across';
  const thickness = Math.round(unit * (across ? 4.2 : 5.2));
  const chipRoom = Math.round(unit * 8);
  const labelSize = Math.round(unit * (across ? 4.2 : 6.4));
  const percent = `${Math.round(share * 100 * fill)}%`;
  const from = tierPalette(currentTier);
  const to = tierPalette(nextTier);
  // Track geometry inside the meter's box.
  const track: Rect = across
    ? { x: 0, y: Math.round(labelSize * 1.6), w: rect.w, h: thickness }
    : { x: 0, y: chipRoom, w: thickness, h: rect.h - 2 * chipRoom };
  const length = (across ? track.w : track.h) * share * fill;
  const knob = Math.round(thickness * 1.5);

  return (
    <div style={{ ...rectStyle(rect), fontFamily: INTER_STACK, opacity: fixed3(appear) }}>
      <div
        style={{
          ...rectStyle(track),
          borderRadius: '999px',
          background: 'rgba(255, 255, 255, 0.10)',
          boxShadow: 'inset 0 1px 3px rgba(0, 0, 0, 0.35)',
        }}
      >
        <div
          style={{
            position: 'absolute',
            left: 0,
            bottom: 0,
            width: across ? px(length) : '100%',
            height: across ? '100%' : px(length),
            borderRadius: '999px',
            background: `linear-gradient(${across ? '90deg' : '0deg'}, ${from.dark} 0%, ${to.light} 100%)`,
            boxShadow: `0 0 ${Math.round(unit * 3)}px ${to.glow}66`,
          }}
        />
        <div
          style={{
            position: 'absolute',
            width: `${knob}px`,
            height: `${knob}px`,
            borderRadius: '50%',
            background: '#ffffff',
            boxShadow: `0 0 ${Math.round(unit * 2.5)}px ${to.glow}`,
            ...(across
              ? { left: px(length - knob / 2), top: px((thickness - knob) / 2) }
              : { bottom: px(length - knob / 2), left: px((thickness - knob) / 2) }),
          }}
        />
      </div>
      <div
        style={{
          position: 'absolute',
          fontSize: `${labelSize}px`,
          fontWeight: 800,
          lineHeight: 1,
          letterSpacing: '-0.02em',
          fontVariantNumeric: 'tabular-nums',
          color: '#ffffff',
          whiteSpace: 'nowrap',
          ...(across
            ? {
                top: 0,
                // Keeps the label inside the frame at both ends of the bar.
                left: px(Math.min(Math.max(length, labelSize * 1.3), track.w - labelSize * 1.3)),
                transform: 'translateX(-50%)',
              }
            : {
                left: px(thickness + unit * 3),
                top: px(
                  Math.min(
                    Math.max(track.y + track.h - length, track.y + labelSize * 0.5),
                    track.y + track.h - labelSize * 0.5,
                  ),
                ),
                transform: 'translateY(-50%)',
              }),
        }}
      >
        {percent}
      </div>
      <TierChip
        tier={currentTier}
        unit={unit}
        progress={appear}
        solid
        style={{ position: 'absolute', left: 0, ...(across ? { top: px(track.y + thickness + unit * 2.4) } : { bottom: 0 }) }}
      />
      <TierChip
        tier={nextTier}
        unit={unit}
        progress={appear}
        solid={share >= 1 && fill >= 1}
        style={{ position: 'absolute', ...(across ? { right: 0, top: px(track.y + thickness + unit * 2.4) } : { left: 0, top: 0 }) }}
      />
    </div>
  );
}
