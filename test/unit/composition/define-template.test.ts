import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { defineStill, defineTemplate, type TemplateInput } from '../../../src/composition/index.js';
import { isAppError } from '../../../src/errors/index.js';

const schema = z.object({ name: z.string().min(1), age: z.number().int() });

function base(): TemplateInput<typeof schema> {
  return {
    id: 'welcome-card',
    schema,
    defaultProps: { name: 'Ada', age: 36 },
    fps: 30,
    durationInFrames: 90,
    variants: { landscape: { width: 1280, height: 720 }, portrait: { width: 720, height: 1280 } },
    component: () => null,
  };
}

function problemsOf(input: unknown): string {
  try {
    defineTemplate(input as TemplateInput<typeof schema>);
  } catch (err) {
    expect(isAppError(err, 'INVALID_ARGUMENT')).toBe(true);
    return (err as Error).message;
  }
  throw new Error('expected defineTemplate to throw');
}

describe('defineTemplate', () => {
  it('fills defaults and freezes the result', () => {
    const t = defineTemplate(base());
    expect(t.defaultVariant).toBe('landscape');
    expect(t.posterFrame).toBe(89);
    expect(t.ctas).toEqual([]);
    expect(t.fonts).toEqual([]);
    expect(Object.isFrozen(t)).toBe(true);
    expect(Object.isFrozen(t.variants.landscape)).toBe(true);
    expect(() => {
      (t as { fps: number }).fps = 60;
    }).toThrow();
  });

  it('keeps explicit values', () => {
    const t = defineTemplate({ ...base(), defaultVariant: 'portrait', posterFrame: 0, ctas: [{ id: 'buy', label: 'Buy', url: 'https://x.test/{name}' }] });
    expect(t.defaultVariant).toBe('portrait');
    expect(t.posterFrame).toBe(0);
    expect(t.ctas[0]!.id).toBe('buy');
  });

  it('lists every problem at once', () => {
    const message = problemsOf({
      ...base(),
      id: 'Welcome_Card',
      fps: 0,
      durationInFrames: 12.5,
      variants: { odd: { width: 1279, height: 720 }, neg: { width: -2, height: 2 } },
      defaultVariant: 'square',
    });
    expect(message).toMatch(/id must be kebab-case/);
    expect(message).toMatch(/fps must be a number > 0/);
    expect(message).toMatch(/durationInFrames must be an integer > 0/);
    expect(message).toMatch(/variants\.odd\.width must be an even integer/);
    expect(message).toMatch(/variants\.neg\.width must be an even integer/);
    expect(message).toMatch(/defaultVariant "square" is not one of the variants/);
  });

  it('names the failing defaultProps paths', () => {
    const message = problemsOf({ ...base(), defaultProps: { name: '', age: 'old' } });
    expect(message).toMatch(/defaultProps\.name:/);
    expect(message).toMatch(/defaultProps\.age:/);
  });

  it('refuses no variants, a poster frame out of range and duplicate CTA ids', () => {
    expect(problemsOf({ ...base(), variants: {} })).toMatch(/at least one variant/);
    expect(problemsOf({ ...base(), posterFrame: 90 })).toMatch(/posterFrame must be an integer in \[0, 89\]/);
    const cta = { id: 'a', label: 'A', url: 'https://x.test' };
    expect(problemsOf({ ...base(), ctas: [cta, cta] })).toMatch(/ctas\[1\]\.id "a" is declared twice/);
  });
});

describe('defineStill', () => {
  it('is a one-frame template at 1 fps, marked still', () => {
    const { fps: _fps, durationInFrames: _d, ...input } = base();
    const still = defineStill(input);
    expect(still).toMatchObject({ id: 'welcome-card', fps: 1, durationInFrames: 1, posterFrame: 0, still: true, defaultVariant: 'landscape' });
    expect(Object.isFrozen(still)).toBe(true);
  });

  it('validates like defineTemplate', () => {
    const { fps: _fps, durationInFrames: _d, ...input } = base();
    expect(() => defineStill({ ...input, id: 'Bad Id', defaultProps: { name: '', age: 1 } })).toThrow(/id must be kebab-case[\s\S]*defaultProps\.name/);
  });
});

