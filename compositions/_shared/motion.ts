import { Easing, interpolate } from '../../src/composition/index.js';

/**
 * Entrance progress from 0 to 1 over `duration` frames from `start`, eased
 * out. Clamped on both sides so that it is exactly 0 before and exactly 1
 * after: once every element has reached 1, the rendered DOM stops changing
 * and the renderer can reuse the previous captured frame.
 */
export function enter(frame: number, start: number, duration: number): number {
  return interpolate(frame, [start, start + duration], [0, 1], {
    easing: Easing.out(Easing.cubic),
    extrapolateLeft: 'clamp',
    extrapolateRight: 'clamp',
  });
}

/** Like enter(), with a smoother ease-in-out, for moves between two places. */
export function move(frame: number, start: number, duration: number): number {
  return interpolate(frame, [start, start + duration], [0, 1], {
    easing: Easing.inOut(Easing.cubic),
    extrapolateLeft: 'clamp',
    extrapolateRight: 'clamp',
  });
}

/**
 * Rounds a CSS number to 2 decimals. Keeps style strings short and makes
 * values that are mathematically equal print identically.
 */
export function px(value: number): string {
  return `${Math.round(value * 100) / 100}px`;
}

/** Rounds an opacity or scale to 3 decimals, for the same reasons as px(). */
export function fixed3(value: number): number {
  return Math.round(value * 1000) / 1000;
}
