import type { ReactNode } from 'react';
import { spring, useCurrentFrame, useVideoConfig } from '../../src/composition/index.js';
import { formatInteger } from '../_shared/format.js';
import { enter, fixed3, px } from '../_shared/motion.js';
import type { WelcomeLayout } from './layout.js';
import { PROGRAMME, TIMELINE, type WelcomeClipProps } from './schema.js';

/** A block that fades in and rises by `rise` pixels; exactly still once arrived. */
function Rise({ progress, rise, children }: { progress: number; rise: number; children: ReactNode }) {
  return <div style={{ opacity: fixed3(progress), transform: `translateY(${px((1 - progress) * rise)})` }}>{children}</div>;
}

/**
 * The personalised part over the footage: "Welcome to Aurora Rewards", the
 * member's name, the welcome gift counting up, and the call to action.
 */
export function Overlay({ props, layout }: { props: WelcomeClipProps; layout: WelcomeLayout }) {
  const frame = useCurrentFrame();
  const { fps } = useVideoConfig();
  const u = layout.unit;
  // A spring that is snapped to 1 once settled, so the hold is byte-identical.
  const raw = spring({ frame: frame - TIMELINE.name, fps, config: { damping: 14, stiffness: 120, mass: 0.9 } });
  const nameIn = frame >= TIMELINE.name + 45 ? 1 : Math.max(0, raw);
  const counted = props.welcomePoints * enter(frame, TIMELINE.countFrom, TIMELINE.countFrames);
  const align = layout.align;
  return (
    <div
      style={{
        position: 'absolute',
        left: px(layout.left),
        bottom: px(layout.bottom),
        width: px(layout.width),
        textAlign: align,
        color: '#fff',
      }}
    >
      <Rise progress={enter(frame, TIMELINE.eyebrow, 20)} rise={16 * u}>
        <div style={{ fontSize: px(26 * u), fontWeight: 700, letterSpacing: px(3 * u), textTransform: 'uppercase', color: '#ffd9a0' }}>
          {`Welcome to ${PROGRAMME}`}
        </div>
      </Rise>
      <div
        style={{
          fontSize: px(layout.nameSize),
          fontWeight: 800,
          lineHeight: 1.05,
          margin: `${px(8 * u)} 0 ${px(18 * u)}`,
          opacity: fixed3(Math.min(1, nameIn * 1.5)),
          transform: `translateY(${px((1 - nameIn) * 40 * u)}) scale(${fixed3(0.92 + 0.08 * nameIn)})`,
          transformOrigin: align === 'center' ? '50% 100%' : '0% 100%',
          whiteSpace: 'nowrap',
          overflow: 'hidden',
          textOverflow: 'ellipsis',
        }}
      >
        {`${props.firstName}.`}
      </div>
      <Rise progress={enter(frame, TIMELINE.gift, 22)} rise={20 * u}>
        <div style={{ fontSize: px(30 * u), fontWeight: 400, opacity: 0.92 }}>Your welcome gift</div>
        <div style={{ fontSize: px(64 * u), fontWeight: 800, fontVariantNumeric: 'tabular-nums', color: '#7fe0ff' }}>
          {`${formatInteger(counted)} points`}
        </div>
      </Rise>
      <Rise progress={enter(frame, TIMELINE.cta, 20)} rise={18 * u}>
        <div
          style={{
            display: 'inline-block',
            marginTop: px(26 * u),
            padding: `${px(16 * u)} ${px(34 * u)}`,
            borderRadius: px(40 * u),
            background: '#ffd9a0',
            color: '#081a33',
            fontSize: px(28 * u),
            fontWeight: 700,
          }}
        >
          {props.cta.label}
        </div>
      </Rise>
    </div>
  );
}
