import type { CSSProperties } from 'react';
import { fixed3, px } from '../_shared/motion.js';
import { rectStyle, type Rect } from '../_shared/rect.js';

/**
 * The shared look of a recap card (frosted panel, hairline border, soft
 * shadow) plus its entrance: it rises by 4% of the short side and fades in.
 * At progress 1 the transform is the identity and the opacity exactly 1.
 */
export function cardStyle(rect: Rect, unit: number, progress: number): CSSProperties {
  return {
    ...rectStyle(rect),
    boxSizing: 'border-box',
    borderRadius: `${Math.round(unit * 2.6)}px`,
    background: 'linear-gradient(160deg, rgba(255, 255, 255, 0.10) 0%, rgba(255, 255, 255, 0.04) 100%)',
    border: '1px solid rgba(255, 255, 255, 0.14)',
    boxShadow: '0 18px 48px rgba(3, 6, 20, 0.35)',
    overflow: 'hidden',
    opacity: fixed3(progress),
    transform: `translateY(${px((1 - progress) * unit * 4)})`,
  };
}

/** Small uppercase label on top of a card ("NIGHTS STAYED"). */
export function labelStyle(unit: number, color = 'rgba(255, 255, 255, 0.66)'): CSSProperties {
  return {
    fontSize: `${Math.round(unit * 2.3)}px`,
    fontWeight: 700,
    letterSpacing: '0.14em',
    textTransform: 'uppercase',
    color,
    lineHeight: 1.2,
  };
}
