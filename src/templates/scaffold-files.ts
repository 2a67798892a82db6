/** Import specifiers the scaffolded files use, relative to where each file lands. */
export interface ScaffoldImports {
  /** From the template folder to the composition runtime (`.../src/composition/index.js`). */
  runtimeFromTemplate: string;
  /** From the test folder to the composition runtime. */
  runtimeFromTest: string;
  /** From the test folder to the template folder (no trailing slash). */
  templateFromTest: string;
  /** From the template folder to `_shared/fonts.js` when the compositions folder ships Inter, else null. */
  fontsFromTemplate: string | null;
}

/** A new template's sources: files of its folder by name, and its test. */
export interface ScaffoldSources {
  templateFiles: Record<string, string>;
  test: string;
}

const pascal = (id: string): string => id.replace(/(^|-)([a-z0-9])/g, (_m, _d, c: string) => c.toUpperCase());

const EXAMPLE_PROPS = { firstName: 'Maximiliana', points: 987_654, accent: 'hsl(330, 90%, 60%)' };

function schemaSource(imports: ScaffoldImports): string {
  return `import { z } from 'zod';
import { zColor } from '${imports.runtimeFromTemplate}';

/**
 * The props, bounded: every string has a max length and every number an
 * integer range, so the layout can be checked at its limits.
 */
export const schema = z.object({
  firstName: z.string().min(1).max(24),
  points: z.number().int().min(0).max(10_000_000),
  accent: zColor(),
});

export type Props = z.output<typeof schema>;
`;
}

function componentSource(name: string, imports: ScaffoldImports): string {
  const font = imports.fontsFromTemplate ? 'INTER_STACK' : "'sans-serif'";
  return `import { AbsoluteFill, interpolate, Sequence, spring, useCurrentFrame, useVideoConfig } from '${imports.runtimeFromTemplate}';
${imports.fontsFromTemplate ? `import { INTER_STACK } from '${imports.fontsFromTemplate}';\n` : ''}import type { Props } from './schema.js';

/** Rounds CSS numbers so that equal values print identically: held frames then render the same DOM. */
const round = (value: number, digits = 2): number => Math.round(value * 10 ** digits) / 10 ** digits;

function Greeting({ firstName, accent }: Pick<Props, 'firstName' | 'accent'>) {
  const frame = useCurrentFrame();
  const { fps, width, height } = useVideoConfig();
  // durationInFrames makes the spring land exactly on 1 after 30 frames: from then on nothing moves.
  const enter = spring({ frame, fps, durationInFrames: 30, config: { damping: 200 } });
  return (
    <div style={{ fontSize: Math.round(Math.min(width, height) * 0.09), fontWeight: 800, opacity: round(enter, 3), transform: \`translateY(\${round((1 - enter) * 60)}px)\` }}>
      {\`Hi \${firstName}, \`}
      <span style={{ color: accent }}>welcome!</span>
    </div>
  );
}

function Points({ points }: Pick<Props, 'points'>) {
  const frame = useCurrentFrame();
  const { width, height } = useVideoConfig();
  // Clamped on both sides, then rounded: the count stops on the exact number.
  const shown = Math.round(interpolate(frame, [0, 30], [0, points], { extrapolateLeft: 'clamp', extrapolateRight: 'clamp' }));
  return (
    <div style={{ marginTop: '4%', fontSize: Math.round(Math.min(width, height) * 0.05) }}>{\`\${shown.toLocaleString('en-US')} points\`}</div>
  );
}

/** Lays out for landscape, portrait and square from the variant's size. */
export function ${name}({ firstName, points, accent }: Props) {
  const { width, height } = useVideoConfig();
  const portrait = height > width;
  return (
    <AbsoluteFill
      style={{
        background: '#101522',
        color: 'white',
        fontFamily: ${font},
        padding: '6%',
        justifyContent: 'center',
        alignItems: portrait ? 'center' : 'flex-start',
        textAlign: portrait ? 'center' : 'left',
      }}
    >
      <Greeting firstName={firstName} accent={accent} />
      <Sequence from={20} layout="none">
        <Points points={points} />
      </Sequence>
    </AbsoluteFill>
  );
}
`;
}

function indexSource(id: string, name: string, imports: ScaffoldImports): string {
  return `import { defineTemplate } from '${imports.runtimeFromTemplate}';
${imports.fontsFromTemplate ? `import { INTER_FONTS } from '${imports.fontsFromTemplate}';\n` : ''}import { ${name} } from './${id}.js';
import { schema } from './schema.js';

/** ${name}: a greeting and a points count-up. Authoring guide: docs/templates.md */
export default defineTemplate({
  id: '${id}',
  title: '${name}',
  schema,
  defaultProps: { firstName: 'Dana', points: 1200, accent: '#0b84f3' },
  fps: 30,
  durationInFrames: 90,
  variants: {
    landscape: { width: 1280, height: 720 },
    portrait: { width: 720, height: 1280 },
    square: { width: 1080, height: 1080 },
  },
  component: ${name},${imports.fontsFromTemplate ? '\n  fonts: INTER_FONTS,' : ''}
});
`;
}

function testSource(id: string, imports: ScaffoldImports): string {
  return `import { readFileSync } from 'node:fs';
import { createElement, type ComponentType } from 'react';
import { renderToString } from 'react-dom/server';
import { describe, expect, it } from 'vitest';
import { CompositionRoot, createPageRuntime, type Template } from '${imports.runtimeFromTest}';
import definition from '${imports.templateFromTest}/index.js';

const template = definition as unknown as Template;
// examples.json: example name -> props, the file the studio lists and saves into.
const examples = JSON.parse(readFileSync(new URL('${imports.templateFromTest}/examples.json', import.meta.url), 'utf8')) as Record<string, Record<string, unknown>>;
const example = examples['near the limits']!;

/** One frame as the page would show it; equal strings mean the renderer may reuse the previous image. */
function renderFrame(frame: number, variant: string, props: unknown = template.defaultProps): string {
  const size = template.variants[variant]!;
  const config = { ...size, fps: template.fps, durationInFrames: template.durationInFrames, variant };
  const element = createElement(template.component as ComponentType<object>, template.schema.parse(props) as object);
  const fail = (error: Error) => {
    throw error;
  };
  return renderToString(createElement(CompositionRoot, { frame, config, runtime: createPageRuntime(), onError: fail }, element));
}

describe('${id}', () => {
  it('accepts its default props and its stored example', () => {
    expect(template.schema.safeParse(template.defaultProps).success).toBe(true);
    expect(template.schema.safeParse(example).success).toBe(true);
  });

  it('refuses props outside their bounds', () => {
    for (const bad of [{ firstName: '' }, { firstName: 'x'.repeat(25) }, { points: -1 }, { points: 1.5 }, { accent: 'not-a-colour' }]) {
      expect(template.schema.safeParse({ ...(template.defaultProps as object), ...bad }).success, JSON.stringify(bad)).toBe(false);
    }
  });

  for (const variant of Object.keys(template.variants)) {
    it(\`renders the \${variant} variant from the first to the last frame\`, () => {
      const frames = [0, 25, template.durationInFrames - 1].map((frame) => renderFrame(frame, variant, example));
      expect(frames[0]).not.toBe(frames[1]);
      for (const html of frames) expect(html).not.toMatch(/NaN|undefined|Infinity/);
      expect(frames[2]).toContain(String(example.firstName));
    });
  }

  it('holds still at the end, so the renderer reuses captured frames', () => {
    const last = template.durationInFrames - 1;
    expect(renderFrame(last - 1, template.defaultVariant)).toBe(renderFrame(last, template.defaultVariant));
  });
});
`;
}

/**
 * The sources of a new template `id` (kebab-case): a bounded zod schema with
 * a zColor prop, a component that adapts to landscape, portrait and square
 * and holds still once everything has arrived, the definition with three
 * variants, example props, and a vitest file. Pure: same input, same text.
 */
export function scaffoldSources(id: string, imports: ScaffoldImports): ScaffoldSources {
  const name = pascal(id);
  return {
    templateFiles: {
      'schema.ts': schemaSource(imports),
      [`${id}.tsx`]: componentSource(name, imports),
      'index.tsx': indexSource(id, name, imports),
      'examples.json': `${JSON.stringify({ 'near the limits': EXAMPLE_PROPS }, null, 2)}\n`,
    },
    test: testSource(id, imports),
  };
}
