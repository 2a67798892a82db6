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
  /** How much the composition is scaled on screen: the player's fit, 1 when rendering. */
  scale: number;
}

const DEFAULT_VALUE: RuntimeContextValue = { mode: 'render', runtime: pageRuntime, playing: false, muted: false, scale: 1 };

/** Provided by the composition root; the default is render mode on the page runtime. */
export const RuntimeContext = createContext<RuntimeContextValue>(DEFAULT_VALUE);

/** The runtime mode and page state of the enclosing composition. */
export function useRuntime(): RuntimeContextValue {
  return useContext(RuntimeContext);
}

/**
 * How much the composition is scaled where it is shown: the live player's
 * fit to its container (0.5 for a 1280-wide composition in a 640-wide box),
 * 1 when rendering frames. Divide by it to keep something a constant size on
 * screen, e.g. a 1px hairline: `${1 / useCurrentScale()}px`.
 */
export function useCurrentScale(): number {
  return useContext(RuntimeContext).scale;
}
