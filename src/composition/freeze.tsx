import { useMemo, type ReactNode } from 'react';
import { TimelineContext, useTimeline, type Timeline } from './timeline-context.js';

export interface FreezeProps {
  /** The frame the children see, whatever the current frame is. */
  frame: number;
  /**
   * Whether to freeze: a boolean, or a function of the current frame (of the
   * Freeze's parent) such as `(f) => f >= 30`. Default true.
   */
  active?: boolean | ((frame: number) => boolean);
  children?: ReactNode;
}

/**
 * Holds its children on one frame: inside, useCurrentFrame() returns `frame`
 * while `active` is true. Nested Sequences count from it as usual.
 */
export function Freeze({ frame, active = true, children }: FreezeProps): ReactNode {
  if (typeof frame !== 'number' || !Number.isFinite(frame)) {
    throw new RangeError(`<Freeze>: frame must be a finite number, got ${String(frame)}`);
  }
  if (typeof active !== 'boolean' && typeof active !== 'function') {
    throw new TypeError(`<Freeze>: active must be a boolean or a function of the frame, got ${String(active)}`);
  }
  const parent = useTimeline();
  const isActive = typeof active === 'function' ? Boolean(active(parent.frame)) : active;
  const frozen = useMemo<Timeline>(() => ({ ...parent, frame }), [parent, frame]);
  return <TimelineContext.Provider value={isActive ? frozen : parent}>{children}</TimelineContext.Provider>;
}
