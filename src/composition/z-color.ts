import { z } from 'zod';
import { parseCssColour } from './css-colour.js';

/** `true` only inside a template's player bundle (esbuild `define`): props are not validated there (see define-template.ts). */
declare const MASTERCUT_PLAYER_BUNDLE: boolean | undefined;

/** Longest colour string accepted in props (`rgba(255, 255, 255, 0.333)` is 27 characters). */
export const COLOR_PROP_MAX_LENGTH = 64;

/**
 * A zod schema for a colour prop, like Remotion's `zColor()`: a string that
 * is a CSS colour (named, `#rgb[a]`, `#rrggbb[aa]`, `rgb[a]()`, `hsl[a]()`),
 * kept as written so it goes straight into a style. Its JSON Schema says
 * `format: "color"`, which the studio's props form shows as a colour picker.
 *
 * @example schema: z.object({ accent: zColor() }), defaultProps: { accent: '#0b84f3' }
 */
export function zColor() {
  // In the player bundle the definition is only read, never used to validate (props were checked when the link was made).
  if (typeof MASTERCUT_PLAYER_BUNDLE === 'undefined' || !MASTERCUT_PLAYER_BUNDLE) return checkedZColor();
  return z.string();
}

function checkedZColor() {
  return z
    .string()
    .max(COLOR_PROP_MAX_LENGTH)
    .refine((value) => parseCssColour(value) !== null, {
      message: 'must be a CSS colour: a name, #rgb, #rrggbb, #rrggbbaa, rgb(), rgba(), hsl() or hsla()',
    })
    .meta({ format: 'color' });
}
