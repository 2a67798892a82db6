import { createContext, useContext } from 'react';
import type { VideoConfig } from './template.schema.js';

/** Provided by the composition root from the template and the chosen variant. */
export const VideoConfigContext = createContext<VideoConfig | null>(null);

/** Size, frame rate, length and variant of the composition being rendered. */
export function useVideoConfig(): VideoConfig {
  const config = useContext(VideoConfigContext);
  if (config === null) {
    throw new Error('useVideoConfig() was called outside a composition: render the component through the page API, the player or CompositionRoot');
  }
  return config;
}
