import { orientationOf, type Orientation, type Rect } from '../_shared/rect.js';

/** Where each block of the loyalty video sits for one frame size. */
export interface LoyaltyLayout {
  orientation: Orientation;
  /** 1% of the short side. */
  unit: number;
  header: Rect;
  /** The progress meter: a bar across (landscape), a bar upright (portrait), a ring (square). */
  meter: Rect;
  stats: Rect;
  /** Stats sit in a row under the bar in landscape, in a column beside it otherwise. */
  statsDirection: 'row' | 'column';
  closing: Rect;
  titleSize: number;
}

/**
 * Lays the loyalty video out: a horizontal bar with the figures in a row in
 * landscape, an upright bar with the figures beside it in portrait, a ring
 * with the figures beside it in square. Margins stay title-safe.
 */
export function computeLoyaltyLayout(width: number, height: number): LoyaltyLayout {
  const orientation = orientationOf(width, height);
  const unit = Math.min(width, height) / 100;
  const marginX = Math.round(unit * 6.5);
  const marginY = Math.round(orientation === 'portrait' ? unit * 9 : unit * 6.5);
  const innerW = width - 2 * marginX;
  const closingH = Math.round(unit * 6);
  const closing: Rect = { x: marginX, y: height - marginY - closingH, w: innerW, h: closingH };
  const headerH = Math.round(unit * (orientation === 'landscape' ? 25 : orientation === 'portrait' ? 36 : 24));
  const header: Rect = { x: marginX, y: marginY, w: innerW, h: headerH };
  const bodyTop = header.y + header.h + Math.round(unit * 5);
  const bodyH = closing.y - Math.round(unit * 5) - bodyTop;

  if (orientation === 'landscape') {
    const meterH = Math.round(unit * 20);
    return {
      orientation,
      unit,
      header,
      titleSize: Math.round(unit * 8),
      meter: { x: marginX, y: bodyTop, w: innerW, h: meterH },
      stats: { x: marginX, y: bodyTop + meterH + Math.round(unit * 4), w: innerW, h: bodyH - meterH - Math.round(unit * 4) },
      statsDirection: 'row',
      closing,
    };
  }

  if (orientation === 'portrait') {
    const meterW = Math.round(unit * 34);
    const gap = Math.round(unit * 5);
    return {
      orientation,
      unit,
      header,
      titleSize: Math.round(unit * 8.4),
      meter: { x: marginX, y: bodyTop, w: meterW, h: bodyH },
      stats: { x: marginX + meterW + gap, y: bodyTop, w: innerW - meterW - gap, h: bodyH },
      statsDirection: 'column',
      closing,
    };
  }

  const ring = Math.min(bodyH, Math.round(innerW * 0.5));
  const gap = Math.round(unit * 6);
  return {
    orientation,
    unit,
    header,
    titleSize: Math.round(unit * 6.2),
    meter: { x: marginX, y: bodyTop + Math.round((bodyH - ring) / 2), w: ring, h: ring },
    stats: { x: marginX + ring + gap, y: bodyTop, w: innerW - ring - gap, h: bodyH },
    statsDirection: 'column',
    closing,
  };
}
