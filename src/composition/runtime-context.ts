import { createContext, useContext } from 'react';
import { pageRuntime, type PageRuntime, type RuntimeMode } from './page-runtime.js';

/** How the composition is being shown, for components whose behaviour depends on it (Img, Audio). */
export interface RuntimeContextValue {
  mode: RuntimeMode;
  runtime: PageRuntime;
  /** Player only: whether playback is running (audio follows it). */
  playing: boolean;
  /** Player only: mute every <Audio>. */
  muted: boolean;
}

const DEFAULT_VALUE: RuntimeContextValue = { mode: 'render', runtime: pageRuntime, playing: false, muted: false };

/** Provided by the composition root; the default is render mode on the page runtime. */
export const RuntimeContext = createContext<RuntimeContextValue>(DEFAULT_VALUE);

/** The runtime mode and page state of the enclosing composition. */
export function useRuntime(): RuntimeContextValue {
  return useContext(RuntimeContext);
}
