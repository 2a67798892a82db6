import { orientationOf, type Orientation, type Rect } from '../_shared/rect.js';

/** Where each block of the recap sits for one frame size. */
export interface RecapLayout {
  orientation: Orientation;
  /** 1% of the short side: every size and font derives from it. */
  unit: number;
  header: Rect;
  nights: Rect;
  points: Rect;
  destination: Rect;
  closing: Rect;
  /** Font size of the header title (the eyebrow derives from it). */
  titleSize: number;
}

/**
 * Lays the recap out for a frame size: side by side in landscape (photo on
 * the left, figures on the right), stacked in portrait, a 2x2 grid in square.
 * Margins stay inside the usual title-safe area (at least 6% of the short side).
 */
export function computeRecapLayout(width: number, height: number): RecapLayout {
  const orientation = orientationOf(width, height);
  const unit = Math.min(width, height) / 100;
  const gap = Math.round(unit * 2.5);
  const marginX = Math.round(unit * 6.5);
  // Portrait frames get taller vertical margins: phone UIs cover top and bottom.
  const marginY = Math.round(orientation === 'portrait' ? unit * 9 : unit * 6.5);
  const innerW = width - 2 * marginX;
  const header: Rect = {
    x: marginX,
    y: marginY,
    w: innerW,
    h: Math.round(unit * (orientation === 'landscape' ? 17 : orientation === 'portrait' ? 26 : 20)),
  };
  const top = header.y + header.h + gap;
  const contentH = height - marginY - top;

  if (orientation === 'landscape') {
    const destW = Math.round((innerW - gap) * 0.42);
    const rightX = marginX + destW + gap;
    const rightW = width - marginX - rightX;
    const statW = Math.floor((rightW - gap) / 2);
    const statH = Math.round((contentH - gap) * 0.52);
    return {
      orientation,
      unit,
      header,
      titleSize: Math.round(unit * 7.6),
      destination: { x: marginX, y: top, w: destW, h: contentH },
      nights: { x: rightX, y: top, w: statW, h: statH },
      points: { x: rightX + statW + gap, y: top, w: rightW - statW - gap, h: statH },
      closing: { x: rightX, y: top + statH + gap, w: rightW, h: contentH - statH - gap },
    };
  }

  if (orientation === 'portrait') {
    const destH = Math.round((contentH - 2 * gap) * 0.42);
    const statH = Math.round((contentH - 2 * gap) * 0.27);
    const statW = Math.floor((innerW - gap) / 2);
    const statY = top + destH + gap;
    const closingY = statY + statH + gap;
    return {
      orientation,
      unit,
      header,
      titleSize: Math.round(unit * 8.4),
      destination: { x: marginX, y: top, w: innerW, h: destH },
      nights: { x: marginX, y: statY, w: statW, h: statH },
      points: { x: marginX + statW + gap, y: statY, w: innerW - statW - gap, h: statH },
      closing: { x: marginX, y: closingY, w: innerW, h: height - marginY - closingY },
    };
  }

  const colW = Math.floor((innerW - gap) / 2);
  const rowH = Math.floor((contentH - gap) / 2);
  const rightX = marginX + colW + gap;
  const bottomY = top + rowH + gap;
  return {
    orientation,
    unit,
    header,
    titleSize: Math.round(unit * 6),
    nights: { x: marginX, y: top, w: colW, h: rowH },
    points: { x: rightX, y: top, w: innerW - colW - gap, h: rowH },
    destination: { x: marginX, y: bottomY, w: colW, h: height - marginY - bottomY },
    closing: { x: rightX, y: bottomY, w: innerW - colW - gap, h: height - marginY - bottomY },
  };
}
