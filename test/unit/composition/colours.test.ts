import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { interpolateColors, parseCssColour, zColor } from '../../../src/composition/index.js';

describe('parseCssColour', () => {
  it.each([
    ['red', [255, 0, 0, 1]],
    ['RebeccaPurple', [0x66, 0x33, 0x99, 1]],
    ['transparent', [0, 0, 0, 0]],
    ['#fff', [255, 255, 255, 1]],
    ['#0f08', [0, 255, 0, 0x88 / 255]],
    ['#0b84f3', [0x0b, 0x84, 0xf3, 1]],
    ['#0B84F380', [0x0b, 0x84, 0xf3, 0x80 / 255]],
    ['rgb(1, 2, 3)', [1, 2, 3, 1]],
    ['rgba(1,2,3,0.5)', [1, 2, 3, 0.5]],
    ['rgb(300, -4, 2.6)', [255, 0, 3, 1]],
    ['rgb(50%, 0%, 100%)', [128, 0, 255, 1]],
    ['rgb(1 2 3 / 50%)', [1, 2, 3, 0.5]],
    ['rgba(1 2 3)', [1, 2, 3, 1]],
    ['hsl(120, 100%, 50%)', [0, 255, 0, 1]],
    ['hsl(0 100% 25%)', [128, 0, 0, 1]],
    ['hsla(240, 100%, 50%, 0.25)', [0, 0, 255, 0.25]],
    ['hsl(0.5turn 100% 50% / 1)', [0, 255, 255, 1]],
    ['  hsl(-120deg, 100%, 50%) ', [0, 0, 255, 1]],
  ])('%s', (text, [r, g, b, alpha]) => {
    const colour = parseCssColour(text);
    expect(colour).not.toBeNull();
    expect([colour!.r, colour!.g, colour!.b]).toEqual([r, g, b]);
    expect(colour!.alpha).toBeCloseTo(alpha!, 9);
  });

  it.each(['reddish', '#12', '#12345', 'rgb(1, 2)', 'rgb(1, 2%, 3)', 'rgb(1 2 3 4)', 'rgb(1, 2, 3) x', 'hsl(120, 100, 50)', 'lab(50% 40 59)', 'currentColor', 'inherit', ''])(
    'refuses %j',
    (text) => expect(parseCssColour(text)).toBeNull(),
  );
});

describe('zColor', () => {
  const schema = z.object({ accent: zColor() });

  it('accepts CSS colours and keeps them as written', () => {
    expect(schema.parse({ accent: 'hsl(120 100% 50%)' })).toEqual({ accent: 'hsl(120 100% 50%)' });
    expect(schema.safeParse({ accent: '#0b84f3' }).success).toBe(true);
  });

  it('refuses what is not a colour, with a message that says what is', () => {
    const result = schema.safeParse({ accent: 'blurple' });
    expect(result.success).toBe(false);
    expect(result.error!.issues[0]!.message).toMatch(/must be a CSS colour/);
    expect(schema.safeParse({ accent: `#${'f'.repeat(70)}` }).success).toBe(false);
    expect(schema.safeParse({ accent: 12 }).success).toBe(false);
  });

  it('says format: color in the JSON Schema, bounded', () => {
    const json = z.toJSONSchema(schema, { io: 'input' }) as unknown as { properties: { accent: Record<string, unknown> } };
    expect(json.properties.accent).toMatchObject({ type: 'string', format: 'color', maxLength: 64 });
  });
});

describe('interpolateColors', () => {
  it('moves each channel linearly and rounds (the documented red -> yellow example)', () => {
    expect(interpolateColors(10, [0, 20], ['red', 'yellow'])).toBe('rgba(255, 128, 0, 1)');
    expect(interpolateColors(0, [0, 20], ['red', 'yellow'])).toBe('rgba(255, 0, 0, 1)');
    expect(interpolateColors(5, [0, 20], ['#000', '#fff'])).toBe('rgba(64, 64, 64, 1)');
  });

  it('clamps outside the range', () => {
    expect(interpolateColors(-5, [0, 20], ['red', 'yellow'])).toBe('rgba(255, 0, 0, 1)');
    expect(interpolateColors(99, [0, 20], ['red', 'yellow'])).toBe('rgba(255, 255, 0, 1)');
  });

  it('interpolates alpha and rounds it to 3 decimals', () => {
    expect(interpolateColors(10, [0, 20], ['rgba(255, 0, 0, 1)', 'rgba(255, 255, 0, 0)'])).toBe('rgba(255, 128, 0, 0.5)');
    expect(interpolateColors(1, [0, 3], ['transparent', 'black'])).toBe('rgba(0, 0, 0, 0.333)');
  });

  it('walks several stops and mixes syntaxes', () => {
    const stops = ['hsl(0, 100%, 50%)', '#00ff00', 'rgb(0 0 255)'];
    expect(interpolateColors(10, [0, 10, 20], stops)).toBe('rgba(0, 255, 0, 1)');
    expect(interpolateColors(15, [0, 10, 20], stops)).toBe('rgba(0, 128, 128, 1)');
  });

  it('names the colour it cannot read and checks lengths', () => {
    expect(() => interpolateColors(1, [0, 2], ['red', 'bleu'])).toThrow(/outputRange\[1\] is not a CSS colour: "bleu"/);
    expect(() => interpolateColors(1, [0, 2], ['red'])).toThrow(/same length/);
    expect(() => interpolateColors(1, [2, 0], ['red', 'blue'])).toThrow(/strictly increasing/);
  });
});
