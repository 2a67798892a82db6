import { useCurrentFrame } from '../../src/composition/index.js';
import { INTER_STACK } from '../_shared/fonts.js';
import { enter, fixed3, px } from '../_shared/motion.js';
import { rectStyle, type Rect } from '../_shared/rect.js';

/** Props of {@link ClosingLine}. */
export interface ClosingLineProps {
  rect: Rect;
  unit: number;
  text: string;
}

/** The sign-off at the bottom, with a short gold rule before it. */
export function ClosingLine({ rect, unit, text }: ClosingLineProps) {
  const frame = useCurrentFrame();
  const appear = enter(frame, 0, 22);
  return (
    <div
      style={{
        ...rectStyle(rect),
        display: 'flex',
        alignItems: 'center',
        gap: `${Math.round(unit * 2)}px`,
        fontFamily: INTER_STACK,
        opacity: fixed3(appear),
        transform: `translateX(${px((1 - appear) * unit * -3)})`,
      }}
    >
      <div
        style={{
          flex: '0 0 auto',
          width: `${Math.round(unit * 5 * appear)}px`,
          height: `${Math.max(2, Math.round(unit * 0.45))}px`,
          borderRadius: '999px',
          background: '#f5c16c',
        }}
      />
      <div
        style={{
          fontSize: `${Math.round(unit * 3.4)}px`,
          fontWeight: 700,
          lineHeight: 1.15,
          color: '#ffffff',
        }}
      >
        {text}
      </div>
    </div>
  );
}
