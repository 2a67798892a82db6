import { useMemo, type ReactNode } from 'react';
import { ErrorBoundary } from './error-boundary.js';
import { pageRuntime, type PageRuntime, type RuntimeMode } from './page-runtime.js';
import { RuntimeContext, type RuntimeContextValue } from './runtime-context.js';
import type { VideoConfig } from './template.schema.js';
import { TimelineContext, type Timeline } from './timeline-context.js';
import { VideoConfigContext } from './video-config-context.js';

export interface CompositionRootProps {
  /** Absolute frame of the composition. */
  frame: number;
  config: VideoConfig;
  mode?: RuntimeMode;
  runtime?: PageRuntime;
  playing?: boolean;
  muted?: boolean;
  /** How much the player scales the composition on screen (useCurrentScale()); default 1. */
  scale?: number;
  /** Called with what the template throws; defaults to failing the render (cancelRender). */
  onError?: (error: Error) => void;
  children?: ReactNode;
}

/**
 * Provides the frame, the video config and the runtime to a template, inside
 * an error boundary. The page API and the player render through it; tests can
 * use it with react-dom/server.
 */
export function CompositionRoot(props: CompositionRootProps): ReactNode {
  const { frame, config, mode = 'render', runtime = pageRuntime, playing = false, muted = false, scale = 1, onError } = props;
  // Memoised so that a re-render of the same frame changes no context value.
  const timeline = useMemo<Timeline>(() => ({ frame, offset: 0, end: Infinity }), [frame]);
  const runtimeValue = useMemo<RuntimeContextValue>(
    () => ({ mode, runtime, playing, muted, scale }),
    [mode, runtime, playing, muted, scale],
  );
  const handleError = onError ?? ((error: Error) => runtime.delays.cancel(error));
  return (
    <VideoConfigContext.Provider value={config}>
      <RuntimeContext.Provider value={runtimeValue}>
        <TimelineContext.Provider value={timeline}>
          <ErrorBoundary onError={handleError}>{props.children}</ErrorBoundary>
        </TimelineContext.Provider>
      </RuntimeContext.Provider>
    </VideoConfigContext.Provider>
  );
}
