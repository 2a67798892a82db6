import type { z } from 'zod';
import { AppError } from '../errors/index.js';
import { profileMappingProblems } from './profile-mapping.js';
import type { Template, TemplateInput } from './template.schema.js';

/**
 * `true` only inside a template's player bundle (esbuild `define`, see
 * src/templates/build-player-bundle.ts): the definition was checked when the
 * full bundle was built from the same sources, so the landing page skips the
 * check and the error registry it needs.
 */
declare const MASTERCUT_PLAYER_BUNDLE: boolean | undefined;

const KEBAB_CASE = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;

function isPositiveInteger(v: unknown): v is number {
  return typeof v === 'number' && Number.isInteger(v) && v > 0;
}

/** Every problem of a definition at once, so an author fixes them in one go. */
function collectProblems<S extends z.ZodType>(input: TemplateInput<S>): string[] {
  const problems: string[] = [];
  if (typeof input.id !== 'string' || !KEBAB_CASE.test(input.id)) {
    problems.push(`id must be kebab-case (a-z, 0-9 and single dashes), got ${JSON.stringify(input.id)}`);
  }
  if (!(typeof input.fps === 'number' && Number.isFinite(input.fps) && input.fps > 0)) {
    problems.push(`fps must be a number > 0, got ${String(input.fps)}`);
  }
  if (!isPositiveInteger(input.durationInFrames)) {
    problems.push(`durationInFrames must be an integer > 0, got ${String(input.durationInFrames)}`);
  }
  if (typeof input.component !== 'function' && (typeof input.component !== 'object' || input.component === null)) {
    problems.push('component must be a React component');
  }

  const variants = input.variants && typeof input.variants === 'object' ? Object.entries(input.variants) : [];
  if (variants.length === 0) problems.push('variants must declare at least one variant');
  for (const [name, size] of variants) {
    for (const dim of ['width', 'height'] as const) {
      const v = size?.[dim];
      // H.264 with 4:2:0 chroma needs even dimensions.
      if (!isPositiveInteger(v) || v % 2 !== 0) {
        problems.push(`variants.${name}.${dim} must be an even integer > 0, got ${String(v)}`);
      }
    }
  }
  if (input.defaultVariant !== undefined && !variants.some(([name]) => name === input.defaultVariant)) {
    problems.push(`defaultVariant "${input.defaultVariant}" is not one of the variants (${variants.map(([n]) => n).join(', ')})`);
  }
  if (input.posterFrame !== undefined) {
    const max = isPositiveInteger(input.durationInFrames) ? input.durationInFrames - 1 : undefined;
    if (!Number.isInteger(input.posterFrame) || input.posterFrame < 0 || (max !== undefined && input.posterFrame > max)) {
      problems.push(`posterFrame must be an integer in [0, ${max ?? 'durationInFrames - 1'}], got ${String(input.posterFrame)}`);
    }
  }

  const ctaIds = new Set<string>();
  (input.ctas ?? []).forEach((cta, i) => {
    if (!cta?.id || !cta.label || !cta.url) problems.push(`ctas[${i}] needs an id, a label and a url`);
    else if (ctaIds.has(cta.id)) problems.push(`ctas[${i}].id "${cta.id}" is declared twice`);
    else ctaIds.add(cta.id);
  });
  (input.fonts ?? []).forEach((font, i) => {
    if (!font?.family || !font.src) problems.push(`fonts[${i}] needs a family and a src`);
  });
  if (input.audio !== undefined) {
    if (!input.audio.src) problems.push('audio.src must be a staticFile() path');
    const vol = input.audio.volume;
    if (vol !== undefined && !(Number.isFinite(vol) && vol >= 0)) problems.push(`audio.volume must be >= 0, got ${vol}`);
  }

  if (!input.schema || typeof input.schema.safeParse !== 'function') {
    problems.push('schema must be a zod schema');
  } else {
    const parsed = input.schema.safeParse(input.defaultProps);
    if (!parsed.success) {
      for (const issue of parsed.error.issues) {
        const path = ['defaultProps', ...issue.path.map(String)].join('.');
        problems.push(`${path}: ${issue.message}`);
      }
    }
    if (input.profileMapping !== undefined) problems.push(...profileMappingProblems(input.schema, input.profileMapping));
  }
  return problems;
}

function assertValidDefinition<S extends z.ZodType>(input: TemplateInput<S>): void {
  const problems = collectProblems(input);
  if (problems.length === 0) return;
  const name = typeof input.id === 'string' ? input.id : '?';
  throw new AppError('INVALID_ARGUMENT', `Invalid template "${name}":\n- ${problems.join('\n- ')}`, {
    details: { templateId: name, problems },
  });
}

/**
 * Declares a Dynamic Master Template. Validates the whole definition (every
 * problem is listed in one error), fills the defaults (`defaultVariant`: the
 * first variant, `posterFrame`: the last frame, no CTAs, no fonts) and
 * returns a frozen Template.
 *
 * @throws AppError INVALID_ARGUMENT listing each failing field path.
 */
export function defineTemplate<S extends z.ZodType>(input: TemplateInput<S>): Template<S> {
  if (typeof MASTERCUT_PLAYER_BUNDLE === 'undefined' || !MASTERCUT_PLAYER_BUNDLE) assertValidDefinition(input);
  const variants = Object.freeze(
    Object.fromEntries(Object.entries(input.variants).map(([k, v]) => [k, Object.freeze({ width: v.width, height: v.height })])),
  );
  return Object.freeze({
    ...input,
    variants,
    defaultVariant: input.defaultVariant ?? Object.keys(variants)[0]!,
    posterFrame: input.posterFrame ?? input.durationInFrames - 1,
    ctas: Object.freeze((input.ctas ?? []).map((c) => Object.freeze({ ...c }))) as Template<S>['ctas'],
    fonts: Object.freeze((input.fonts ?? []).map((f) => Object.freeze({ ...f }))) as Template<S>['fonts'],
    ...(input.audio ? { audio: Object.freeze({ ...input.audio }) } : {}),
  });
}
