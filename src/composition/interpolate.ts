import type { EasingFunction } from './easing.js';
import { refuseUnknownOptions } from './refuse-unknown-options.js';

/**
 * What interpolate() does with an input outside the input range:
 * - `extend` (default): keep going along the first / last segment;
 * - `clamp`: hold the input at the nearest end of the range (the easing is
 *   still applied there, so an easing that does not end at 1 holds its end value);
 * - `identity`: return the input unchanged;
 * - `wrap`: start the first / last segment over, as Remotion does: with more
 *   than two points only that end segment repeats, not the whole range.
 */
export type ExtrapolateType = 'clamp' | 'extend' | 'identity' | 'wrap';

export interface InterpolateOptions {
  /**
   * Applied inside each segment to the segment's progress. One function for
   * every segment, or an array with one per segment (inputRange.length - 1).
   * Defaults to linear.
   */
  easing?: EasingFunction | readonly EasingFunction[];
  extrapolateLeft?: ExtrapolateType;
  extrapolateRight?: ExtrapolateType;
}

const EXTRAPOLATE_TYPES: readonly ExtrapolateType[] = ['clamp', 'extend', 'identity', 'wrap'];
const KNOWN_OPTIONS = ['easing', 'extrapolateLeft', 'extrapolateRight'] as const;
const HINTS = {
  posterize: 'quantize the input yourself, e.g. interpolate(Math.floor(frame / n) * n, ...)',
  output: "for a perceptual scale interpolate the logarithms: Math.exp(interpolate(frame, range, values.map(Math.log)))",
};

const linear: EasingFunction = (t) => t;

function checkRange(name: 'inputRange' | 'outputRange', range: readonly number[]): void {
  range.forEach((v, i) => {
    if (typeof v !== 'number' || !Number.isFinite(v)) {
      throw new TypeError(`interpolate(): ${name}[${i}] must be a finite number, got ${String(v)}`);
    }
    if (name === 'inputRange' && i > 0 && !(v > range[i - 1]!)) {
      throw new RangeError(`interpolate(): inputRange must be strictly increasing, but inputRange[${i}]=${v} follows ${range[i - 1]}`);
    }
  });
}

function validate(inputRange: readonly number[], outputRange: readonly number[], options: InterpolateOptions): void {
  if (!Array.isArray(inputRange) || !Array.isArray(outputRange)) {
    throw new TypeError('interpolate(): inputRange and outputRange must be arrays of numbers');
  }
  if (inputRange.length !== outputRange.length) {
    throw new RangeError(
      `interpolate(): inputRange (${inputRange.length} values) and outputRange (${outputRange.length} values) must have the same length`,
    );
  }
  if (inputRange.length < 2) throw new RangeError(`interpolate(): the ranges need at least 2 values, got ${inputRange.length}`);
  checkRange('inputRange', inputRange);
  checkRange('outputRange', outputRange);
  refuseUnknownOptions('interpolate()', options, KNOWN_OPTIONS, HINTS);
  for (const key of ['extrapolateLeft', 'extrapolateRight'] as const) {
    const value = options[key];
    if (value !== undefined && !EXTRAPOLATE_TYPES.includes(value)) {
      throw new RangeError(`interpolate(): ${key} must be one of ${EXTRAPOLATE_TYPES.join(', ')}, got ${String(value)}`);
    }
  }
  const { easing } = options;
  const segments = inputRange.length - 1;
  if (easing === undefined || typeof easing === 'function') return;
  if (!Array.isArray(easing) || easing.length !== segments || easing.some((e) => typeof e !== 'function')) {
    throw new TypeError(`interpolate(): easing must be a function or an array of ${segments} functions (one per segment)`);
  }
}

/** Moves `x` into [min, max) by whole periods of the segment's length. */
function wrap(x: number, min: number, max: number): number {
  const length = max - min;
  return ((((x - min) % length) + length) % length) + min;
}

/**
 * Maps `input` from `inputRange` onto `outputRange`, piecewise: with ranges of
 * n values there are n - 1 segments, each eased on its own. A constant segment
 * returns its value for any input, ±Infinity included; otherwise ±Infinity
 * extends to ±Infinity (or clamps, or returns itself with 'identity').
 *
 * Options other than `easing`, `extrapolateLeft` and `extrapolateRight` are
 * refused (Remotion's `posterize` and `output` included), never ignored.
 *
 * @example interpolate(frame, [0, 20, 40], [0, 1, 0]) // fade in, then out
 */
export function interpolate(
  input: number,
  inputRange: readonly number[],
  outputRange: readonly number[],
  options: InterpolateOptions = {},
): number {
  // Stricter than Remotion, which lets NaN through: a NaN frame is always a bug in the template.
  if (typeof input !== 'number' || Number.isNaN(input)) {
    throw new TypeError(`interpolate(): input must be a number, got ${String(input)}`);
  }
  validate(inputRange, outputRange, options);
  const last = inputRange.length - 1;

  // Segment whose upper bound is the first one >= input (the last one past the end).
  let seg = 0;
  while (seg < last - 1 && input > inputRange[seg + 1]!) seg++;

  const inStart = inputRange[seg]!;
  const inEnd = inputRange[seg + 1]!;
  const outStart = outputRange[seg]!;
  const outEnd = outputRange[seg + 1]!;

  let x = input;
  if (x < inStart) {
    const mode = options.extrapolateLeft ?? 'extend';
    if (mode === 'identity') return x;
    if (mode === 'clamp') x = inStart;
    else if (mode === 'wrap') x = wrap(x, inStart, inEnd);
  }
  if (x > inEnd) {
    const mode = options.extrapolateRight ?? 'extend';
    if (mode === 'identity') return x;
    if (mode === 'clamp') x = inEnd;
    else if (mode === 'wrap') x = wrap(x, inStart, inEnd);
  }
  // A constant segment stays constant even where the eased progress is infinite.
  if (outStart === outEnd) return outStart;

  const { easing = linear } = options;
  const ease = typeof easing === 'function' ? easing : easing[seg]!;
  const t = (x - inStart) / (inEnd - inStart);
  return ease(t) * (outEnd - outStart) + outStart;
}
