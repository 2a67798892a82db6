import { createContext, useContext } from 'react';

/**
 * Where the nearest enclosing Sequence sits on the composition's timeline.
 * `frame` is what useCurrentFrame() returns (relative to that Sequence);
 * `offset` is the Sequence's start and `end` its exclusive end, both in
 * absolute frames of the composition (`end` is Infinity when unbounded).
 */
export interface Timeline {
  frame: number;
  offset: number;
  end: number;
}

/** Provided by the composition root, then narrowed by every Sequence. */
export const TimelineContext = createContext<Timeline | null>(null);

/** The enclosing timeline; throws outside a composition. */
export function useTimeline(): Timeline {
  const timeline = useContext(TimelineContext);
  if (timeline === null) {
    throw new Error('useCurrentFrame() was called outside a composition: render the component through the page API, the player or CompositionRoot');
  }
  return timeline;
}

/**
 * The frame being rendered, relative to the enclosing <Sequence> (absolute at
 * the top level). Derive everything visible from it so that a frame renders
 * identically every time.
 */
export function useCurrentFrame(): number {
  return useTimeline().frame;
}
