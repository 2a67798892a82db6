import { parseCssColour, type RgbaColour } from './css-colour.js';
import { interpolate } from './interpolate.js';

const CHANNELS = ['r', 'g', 'b', 'alpha'] as const;

/**
 * Maps `input` from `inputRange` onto a list of CSS colours, like
 * interpolate() does onto numbers, and returns `rgba(r, g, b, a)`. Each
 * channel moves linearly in sRGB, clamped at both ends of the range; red,
 * green and blue are rounded to integers and alpha to 3 decimals, so a held
 * colour prints the same string on every frame.
 *
 * @example interpolateColors(frame, [0, 20], ['red', 'yellow']) // frame 10: 'rgba(255, 128, 0, 1)'
 */
export function interpolateColors(input: number, inputRange: readonly number[], outputRange: readonly string[]): string {
  if (!Array.isArray(outputRange) || outputRange.length !== inputRange.length) {
    throw new RangeError(
      `interpolateColors(): inputRange (${inputRange.length} values) and outputRange (${String(outputRange?.length)} colours) must have the same length`,
    );
  }
  const colours: RgbaColour[] = outputRange.map((text, i) => {
    const colour = parseCssColour(text);
    if (!colour) throw new TypeError(`interpolateColors(): outputRange[${i}] is not a CSS colour: ${JSON.stringify(text)}`);
    return colour;
  });
  const [r, g, b, alpha] = CHANNELS.map((channel) =>
    interpolate(
      input,
      inputRange,
      colours.map((c) => c[channel]),
      { extrapolateLeft: 'clamp', extrapolateRight: 'clamp' },
    ),
  ) as [number, number, number, number];
  return `rgba(${Math.round(r)}, ${Math.round(g)}, ${Math.round(b)}, ${Math.round(alpha * 1000) / 1000})`;
}
