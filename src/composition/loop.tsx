import { createContext, useContext, useMemo, type CSSProperties, type ReactNode } from 'react';
import { Sequence } from './sequence.js';
import { useTimeline } from './timeline-context.js';
import { useVideoConfig } from './video-config-context.js';

export interface LoopProps {
  /** Length of one iteration, in frames. */
  durationInFrames: number;
  /** How many times to play; default Infinity (until the composition ends). */
  times?: number;
  /** 'absolute-fill' (default) wraps the children in an AbsoluteFill; 'none' renders them as they are. */
  layout?: 'absolute-fill' | 'none';
  name?: string;
  style?: CSSProperties;
  className?: string;
  children?: ReactNode;
}

/** Which iteration of the nearest <Loop> is showing. */
export interface LoopState {
  /** 0 for the first pass. */
  iteration: number;
  durationInFrames: number;
}

const LoopContext = createContext<LoopState | null>(null);

/**
 * Repeats its children: inside, useCurrentFrame() runs from 0 to
 * durationInFrames - 1, then starts over, `times` times (after the last pass
 * nothing is shown).
 */
export function Loop({ durationInFrames, times = Infinity, layout, name, style, className, children }: LoopProps): ReactNode {
  const where = `<Loop${name ? ` name="${name}"` : ''}>`;
  if (!(typeof durationInFrames === 'number' && Number.isFinite(durationInFrames) && durationInFrames > 0)) {
    throw new RangeError(`${where}: durationInFrames must be a finite number > 0, got ${String(durationInFrames)}`);
  }
  if (!(times === Infinity || (Number.isInteger(times) && times >= 0))) {
    throw new RangeError(`${where}: times must be an integer >= 0 or Infinity, got ${String(times)}`);
  }
  const { frame } = useTimeline();
  const { durationInFrames: total } = useVideoConfig();
  // More passes than fit in the composition would never show.
  const passes = Math.min(times, Math.ceil(total / durationInFrames));
  const iteration = Math.floor(frame / durationInFrames);
  // Past the last pass the Sequence stays on it, and shows nothing once it ends.
  const from = Math.min(iteration * durationInFrames, (passes - 1) * durationInFrames);
  const state = useMemo<LoopState>(() => ({ iteration: from / durationInFrames, durationInFrames }), [from, durationInFrames]);
  return (
    <LoopContext.Provider value={state}>
      <Sequence from={from} durationInFrames={durationInFrames} layout={layout} name={name} style={style} className={className}>
        {children}
      </Sequence>
    </LoopContext.Provider>
  );
}

/** The iteration of the nearest enclosing <Loop>, or null outside one. */
Loop.useLoop = function useLoop(): LoopState | null {
  return useContext(LoopContext);
};
