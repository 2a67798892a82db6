import { even } from './transcode-args-input.js';

/** The badge's diameter relative to the poster's short side. */
const BADGE_SHARE = 0.32;
/** Opacity of the dark disc behind the triangle (the triangle itself is opaque). */
const DISC_ALPHA = 0.6;

/** A play badge: a side length and the ffmpeg source that draws it. */
export interface PlayBadge {
  /** Width and height in pixels (even). */
  size: number;
  /** Top-left corner that centres it on the poster. */
  x: number;
  y: number;
  /** A filter-graph source chain producing one RGBA frame of the badge (no labels). */
  source: string;
}

function n(v: number): string {
  return String(Math.round(v * 1000) / 1000);
}

/**
 * A play badge drawn by ffmpeg itself, so no image asset ships or downloads:
 * a translucent dark disc with a white right-pointing triangle, centred on a
 * `width`x`height` poster. `geq` evaluates one expression per pixel; each
 * shape's coverage is its signed distance clipped to [0,1], which
 * anti-aliases the edges over one pixel.
 * https://ffmpeg.org/ffmpeg-filters.html#geq https://ffmpeg.org/ffmpeg-utils.html#Expression-Evaluation
 */
export function playBadge(width: number, height: number): PlayBadge {
  const size = even(Math.min(width, height) * BADGE_SHARE);
  const c = size / 2;
  // Triangle: a vertical left edge at `left`, apex at `apex` on the centre line,
  // half-height `slope * (apex - X)`; shifted right of centre so it looks centred.
  const left = size * 0.38;
  const apex = size * 0.74;
  const slope = 0.611;
  const norm = Math.sqrt(1 + slope * slope);
  const disc = `clip(${n(c)}-hypot(X-${n(c)},Y-${n(c)})+0.5,0,1)`;
  const triangle = `clip(min(X-${n(left)},((${n(apex)}-X)*${n(slope)}-abs(Y-${n(c)}))/${n(norm)})+0.5,0,1)`;
  const white = `255*${triangle}`;
  const alpha = `255*${disc}*(${n(DISC_ALPHA)}+${n(1 - DISC_ALPHA)}*${triangle})`;
  // One transparent frame of the right size, then painted by geq in RGBA.
  const source = `color=c=black@0:s=${size}x${size}:r=1:d=1,format=rgba,geq=r='${white}':g='${white}':b='${white}':a='${alpha}'`;
  return { size, x: even((width - size) / 2), y: even((height - size) / 2), source };
}
