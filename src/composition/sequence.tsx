import { useMemo, type CSSProperties, type ReactNode } from 'react';
import { AbsoluteFill } from './absolute-fill.js';
import { TimelineContext, useTimeline, type Timeline } from './timeline-context.js';

export interface SequenceProps {
  /** First frame (in the parent's frames) at which the children appear. Default 0. */
  from?: number;
  /** How many frames the children stay. Default: until the end. */
  durationInFrames?: number;
  /** For debugging and tooling; not rendered. */
  name?: string;
  /** 'absolute-fill' (default) wraps the children in an AbsoluteFill; 'none' renders them as they are. */
  layout?: 'absolute-fill' | 'none';
  style?: CSSProperties;
  className?: string;
  children?: ReactNode;
}

/**
 * Shifts time for its children: inside, useCurrentFrame() counts from 0 at
 * `from`. Offsets of nested Sequences add up. Outside
 * [from, from + durationInFrames) nothing is rendered.
 */
export function Sequence(props: SequenceProps): ReactNode {
  const { from = 0, durationInFrames = Infinity, layout = 'absolute-fill', style, className, children } = props;
  if (typeof from !== 'number' || !Number.isFinite(from)) {
    throw new RangeError(`<Sequence${props.name ? ` name="${props.name}"` : ''}>: from must be a finite number, got ${String(from)}`);
  }
  if (typeof durationInFrames !== 'number' || !(durationInFrames > 0)) {
    throw new RangeError(
      `<Sequence${props.name ? ` name="${props.name}"` : ''}>: durationInFrames must be > 0, got ${String(durationInFrames)}`,
    );
  }
  const parent = useTimeline();
  const frame = parent.frame - from;
  const offset = parent.offset + from;
  const end = Math.min(parent.end, offset + durationInFrames);
  const timeline = useMemo<Timeline>(() => ({ frame, offset, end }), [frame, offset, end]);

  if (frame < 0 || frame >= durationInFrames) return null;
  const content = layout === 'none' ? children : <AbsoluteFill style={style} className={className}>{children}</AbsoluteFill>;
  return <TimelineContext.Provider value={timeline}>{content}</TimelineContext.Provider>;
}
