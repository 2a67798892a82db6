import { useCurrentFrame, useVideoConfig } from '../../src/composition/index.js';
import { INTER_STACK } from '../_shared/fonts.js';
import { enter, fixed3, move, px } from '../_shared/motion.js';
import { rectStyle, type Rect } from '../_shared/rect.js';
import { BRAND, TIMELINE } from './schema.js';

/** Props of {@link RecapHeader}. */
export interface RecapHeaderProps {
  firstName: string;
  rect: Rect;
  titleSize: number;
}

/** How much bigger the greeting is while it holds the centre of the frame. */
const GREETING_SCALE = 1.12;

/**
 * The greeting scene, which then becomes the header: "Hi Dana," and "Your
 * 2026 with <brand>" appear large in the vertical centre, then glide up into
 * the header slot while the figures arrive. Drawn at its final place and moved
 * with a transform, so layout never reflows and the end state is exact.
 */
export function RecapHeader({ firstName, rect, titleSize }: RecapHeaderProps) {
  const frame = useCurrentFrame();
  const { height } = useVideoConfig();
  const eyebrowIn = enter(frame, 4, 18);
  const titleIn = enter(frame, 12, 22);
  const settle = move(frame, TIMELINE.headerMove, 24);
  // Offset that centres the scaled header vertically during the greeting.
  const centreDy = height / 2 - rect.y - (rect.h * GREETING_SCALE) / 2;
  const scale = 1 + (GREETING_SCALE - 1) * (1 - settle);
  const eyebrowSize = Math.round(titleSize * 0.46);

  return (
    <div
      style={{
        ...rectStyle(rect),
        display: 'flex',
        flexDirection: 'column',
        justifyContent: 'flex-end',
        fontFamily: INTER_STACK,
        transformOrigin: 'left top',
        transform: `translateY(${px(centreDy * (1 - settle))}) scale(${fixed3(scale)})`,
      }}
    >
      <div
        style={{
          fontSize: `${eyebrowSize}px`,
          fontWeight: 700,
          lineHeight: 1.25,
          color: '#f5c16c',
          whiteSpace: 'nowrap',
          overflow: 'hidden',
          textOverflow: 'ellipsis',
          opacity: fixed3(eyebrowIn),
          transform: `translateY(${px((1 - eyebrowIn) * titleSize * 0.4)})`,
          marginBottom: `${Math.round(titleSize * 0.16)}px`,
        }}
      >
        {`Hi ${firstName},`}
      </div>
      <div
        style={{
          fontSize: `${titleSize}px`,
          fontWeight: 800,
          lineHeight: 1.06,
          letterSpacing: '-0.025em',
          color: '#ffffff',
          // Balanced lines: no lone word on the second line in portrait and square.
          textWrap: 'balance',
          opacity: fixed3(titleIn),
          transform: `translateY(${px((1 - titleIn) * titleSize * 0.5)})`,
        }}
      >
        {`Your 2026 with ${BRAND}`}
      </div>
    </div>
  );
}
