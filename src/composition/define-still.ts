import type { z } from 'zod';
import { defineTemplate } from './define-template.js';
import type { StillInput, Template } from './template.schema.js';

/**
 * Declares a single-frame template (Remotion's `<Still>`): a card, a poster,
 * a social image. It is a template of one frame at 1 fps; useCurrentFrame()
 * is always 0. Render it with `mastercut still <id> --out card.png` (or as
 * jpg/webp); a video format is refused. Validation is defineTemplate()'s.
 *
 * @example export default defineStill({ id: 'member-card', schema, defaultProps, variants: { square: { width: 1080, height: 1080 } }, component: Card });
 */
export function defineStill<S extends z.ZodType>(input: StillInput<S>): Template<S> {
  const template = defineTemplate<S>({ ...input, fps: 1, durationInFrames: 1, posterFrame: 0 });
  return Object.freeze({ ...template, still: true as const });
}
