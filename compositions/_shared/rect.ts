import type { CSSProperties } from 'react';

/** An axis-aligned box in composition pixels. */
export interface Rect {
  x: number;
  y: number;
  w: number;
  h: number;
}

/** Which way a variant is shaped; layouts branch on this, never on a variant name. */
export type Orientation = 'landscape' | 'portrait' | 'square';

/**
 * Classifies a frame size. Branching on the aspect ratio (not on the
 * variant's name) keeps layouts right for any size a channel asks for.
 */
export function orientationOf(width: number, height: number): Orientation {
  const aspect = width / height;
  if (aspect >= 1.25) return 'landscape';
  if (aspect <= 0.8) return 'portrait';
  return 'square';
}

/** Absolute-position style for a rect, in whole pixels so edges stay crisp. */
export function rectStyle(rect: Rect): CSSProperties {
  return {
    position: 'absolute',
    left: `${Math.round(rect.x)}px`,
    top: `${Math.round(rect.y)}px`,
    width: `${Math.round(rect.w)}px`,
    height: `${Math.round(rect.h)}px`,
  };
}

/**
 * Font size that fits `chars` characters on one line of `width` pixels,
 * capped at `max`. `em` is the average advance of a glyph in em (about 0.6
 * for Inter's bold digits). Sizing from the final text, not the animated one,
 * keeps the size still while a number counts up.
 */
export function fitFontSize(width: number, chars: number, max: number, em = 0.6): number {
  return Math.floor(Math.min(max, width / (Math.max(1, chars) * em)));
}

/**
 * Largest font size (at most `max`, at least `min`) at which `chars`
 * characters, wrapped on word boundaries, fit in a `width` x `height` box.
 * Estimates with an average glyph advance of `em` and a spare 15% for
 * ragged line ends: good enough for bounded props, and a pure function of
 * its inputs, so every frame gets the same size.
 */
export function fitBlockFontSize(
  chars: number,
  width: number,
  height: number,
  max: number,
  options: { min?: number; lineHeight?: number; em?: number } = {},
): number {
  const { min = 12, lineHeight = 1.1, em = 0.55 } = options;
  for (let size = Math.floor(max); size > min; size -= 1) {
    const perLine = Math.max(1, Math.floor(width / (size * em)));
    const lines = Math.ceil((chars * 1.15) / perLine);
    if (lines * size * lineHeight <= height) return size;
  }
  return min;
}
