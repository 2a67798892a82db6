import type { EasingFunction } from './easing.js';

/**
 * What interpolate() does with an input outside the input range:
 * - `clamp`: hold the output at the nearest end of the output range;
 * - `extend`: keep going along the first / last segment;
 * - `identity`: return the input unchanged.
 */
export type ExtrapolateType = 'clamp' | 'extend' | 'identity';

export interface InterpolateOptions {
  /** Applied inside each segment to the segment's progress. Defaults to linear. */
  easing?: EasingFunction;
  extrapolateLeft?: ExtrapolateType;
  extrapolateRight?: ExtrapolateType;
}

const EXTRAPOLATE_TYPES: readonly ExtrapolateType[] = ['clamp', 'extend', 'identity'];

function validate(inputRange: readonly number[], outputRange: readonly number[], options: InterpolateOptions): void {
  if (!Array.isArray(inputRange) || !Array.isArray(outputRange)) {
    throw new TypeError('interpolate(): inputRange and outputRange must be arrays of numbers');
  }
  if (inputRange.length !== outputRange.length) {
    throw new RangeError(
      `interpolate(): inputRange (${inputRange.length} values) and outputRange (${outputRange.length} values) must have the same length`,
    );
  }
  if (inputRange.length < 2) {
    throw new RangeError(`interpolate(): the ranges need at least 2 values, got ${inputRange.length}`);
  }
  inputRange.forEach((v, i) => {
    if (typeof v !== 'number' || !Number.isFinite(v)) {
      throw new TypeError(`interpolate(): inputRange[${i}] must be a finite number, got ${String(v)}`);
    }
    if (i > 0 && !(v > inputRange[i - 1]!)) {
      throw new RangeError(
        `interpolate(): inputRange must be strictly increasing, but inputRange[${i}]=${v} follows ${inputRange[i - 1]}`,
      );
    }
  });
  outputRange.forEach((v, i) => {
    if (typeof v !== 'number' || !Number.isFinite(v)) {
      throw new TypeError(`interpolate(): outputRange[${i}] must be a finite number, got ${String(v)}`);
    }
  });
  for (const key of ['extrapolateLeft', 'extrapolateRight'] as const) {
    const value = options[key];
    if (value !== undefined && !EXTRAPOLATE_TYPES.includes(value)) {
      throw new RangeError(`interpolate(): ${key} must be one of ${EXTRAPOLATE_TYPES.join(', ')}, got ${String(value)}`);
    }
  }
}

/**
 * Maps `input` from `inputRange` onto `outputRange`, piecewise: with ranges of
 * n values there are n - 1 segments, each eased on its own.
 *
 * @example interpolate(frame, [0, 20, 40], [0, 1, 0]) // fade in, then out
 */
export function interpolate(
  input: number,
  inputRange: readonly number[],
  outputRange: readonly number[],
  options: InterpolateOptions = {},
): number {
  if (typeof input !== 'number' || Number.isNaN(input)) {
    throw new TypeError(`interpolate(): input must be a number, got ${String(input)}`);
  }
  validate(inputRange, outputRange, options);
  const easing = options.easing ?? ((t: number) => t);
  const last = inputRange.length - 1;

  // Segment whose upper bound is the first one >= input (the last one past the end).
  let seg = 0;
  while (seg < last - 1 && input > inputRange[seg + 1]!) seg++;

  const inStart = inputRange[seg]!;
  const inEnd = inputRange[seg + 1]!;
  const outStart = outputRange[seg]!;
  const outEnd = outputRange[seg + 1]!;

  if (input < inStart) {
    const mode = options.extrapolateLeft ?? 'extend';
    if (mode === 'identity') return input;
    if (mode === 'clamp') return outStart;
  } else if (input > inEnd) {
    const mode = options.extrapolateRight ?? 'extend';
    if (mode === 'identity') return input;
    if (mode === 'clamp') return outEnd;
  }

  const t = (input - inStart) / (inEnd - inStart);
  return outStart + easing(t) * (outEnd - outStart);
}
