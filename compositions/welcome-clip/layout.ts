import { orientationOf, type Orientation } from '../_shared/rect.js';

/** Where the overlay sits and how big its type is, for one frame size. */
export interface WelcomeLayout {
  orientation: Orientation;
  /** Box of the text block, in composition pixels. */
  left: number;
  bottom: number;
  width: number;
  align: 'left' | 'center';
  /** Scale of every size: 1 at 720 px on the short side. */
  unit: number;
  nameSize: number;
  /** The scrim darkens this side so the text stays readable over any footage frame. */
  scrim: string;
}

/**
 * Lays the overlay out by shape: bottom-left over a left scrim in landscape,
 * centred over a bottom scrim in portrait, bottom-left in square. The name's
 * size comes from its final length, so it never changes while it animates.
 */
export function computeWelcomeLayout(width: number, height: number, nameLength: number): WelcomeLayout {
  const orientation = orientationOf(width, height);
  const unit = Math.min(width, height) / 720;
  const margin = Math.round(Math.min(width, height) * 0.08);
  const textWidth = orientation === 'landscape' ? width * 0.55 : width - 2 * margin;
  const nameSize = Math.floor(Math.min(110 * unit, textWidth / (Math.max(4, nameLength + 1) * 0.62)));
  const scrim =
    orientation === 'landscape'
      ? 'linear-gradient(90deg, rgba(4,10,24,0.82) 0%, rgba(4,10,24,0.45) 55%, rgba(4,10,24,0) 100%)'
      : 'linear-gradient(0deg, rgba(4,10,24,0.86) 0%, rgba(4,10,24,0.5) 50%, rgba(4,10,24,0) 85%)';
  return {
    orientation,
    left: margin,
    bottom: Math.round(orientation === 'landscape' ? height * 0.16 : margin * 1.4),
    width: Math.round(textWidth),
    align: orientation === 'portrait' ? 'center' : 'left',
    unit,
    nameSize,
    scrim,
  };
}
