import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { templates } from '../../../compositions/index.js';

const COMPOSITIONS = join(import.meta.dirname, '../../../compositions');

function byId(id: string) {
  const t = templates.find((x) => x.id === id);
  if (!t) throw new Error(`template ${id} is not registered`);
  return t;
}

/** A staticFile() path resolves to the template's own public/ first, then the shared one. */
function staticPath(templateId: string, src: string): string | undefined {
  return [join(COMPOSITIONS, templateId, 'public', src), join(COMPOSITIONS, 'public', src)].find((p) => existsSync(p));
}

/** Every leaf of a JSON Schema object, with its path. */
function leaves(schema: Record<string, unknown>, path = ''): Array<[string, Record<string, unknown>]> {
  if (schema.type === 'object') {
    const props = (schema.properties ?? {}) as Record<string, Record<string, unknown>>;
    return Object.entries(props).flatMap(([k, v]) => leaves(v, path ? `${path}.${k}` : k));
  }
  return [[path, schema]];
}

/** For each template: a prop path with a string too long, and one with a number out of range. */
const INVALID: Record<string, { tooLong: Record<string, unknown>; outOfRange: Record<string, unknown> }> = {
  reference: { tooLong: { name: 'x'.repeat(41) }, outOfRange: { points: 10_000_001 } },
  'year-recap': { tooLong: { topDestination: 'x'.repeat(61) }, outOfRange: { nightsStayed: 367 } },
  'loyalty-tier': { tooLong: { firstName: 'x'.repeat(41) }, outOfRange: { memberSince: 1989 } },
  'welcome-clip': { tooLong: { cta: { label: 'x'.repeat(33) } }, outOfRange: { welcomePoints: 1_000_001 } },
};

describe('template registry', () => {
  it('registers the sample templates with unique ids', () => {
    expect(templates.map((t) => t.id).sort()).toEqual(['loyalty-tier', 'reference', 'welcome-clip', 'year-recap']);
  });

  for (const t of templates) {
    describe(t.id, () => {
      it('accepts its default props', () => {
        expect(t.schema.safeParse(t.defaultProps).success).toBe(true);
      });

      it('rejects an over-long string and an out-of-range number', () => {
        const cases = INVALID[t.id]!;
        expect(t.schema.safeParse({ ...t.defaultProps, ...cases.tooLong }).success).toBe(false);
        expect(t.schema.safeParse({ ...t.defaultProps, ...cases.outOfRange }).success).toBe(false);
        expect(t.schema.safeParse({ ...t.defaultProps, [Object.keys(cases.outOfRange)[0]!]: 1.5 }).success).toBe(false);
      });

      it('bounds every field of its schema', () => {
        const json = z.toJSONSchema(t.schema, { io: 'input' }) as Record<string, unknown>;
        const fields = leaves(json);
        expect(fields.length).toBeGreaterThan(1);
        for (const [path, s] of fields) {
          if (s.type === 'string' && !s.enum) expect([path, typeof s.maxLength], path).toEqual([path, 'number']);
          else if (s.type === 'integer' || s.type === 'number') {
            expect([path, s.type, typeof s.minimum, typeof s.maximum]).toEqual([path, 'integer', 'number', 'number']);
          } else expect([path, Array.isArray(s.enum)]).toEqual([path, true]);
        }
      });

      it('has even variant sizes and a poster frame inside the video', () => {
        for (const size of Object.values(t.variants)) {
          expect(size.width % 2).toBe(0);
          expect(size.height % 2).toBe(0);
        }
        expect(t.posterFrame).toBeGreaterThanOrEqual(0);
        expect(t.posterFrame).toBeLessThan(t.durationInFrames);
      });

      it('stores only example props its schema accepts (compositions/<id>/examples.json, for the studio)', () => {
        const file = join(COMPOSITIONS, t.id, 'examples.json');
        if (!existsSync(file)) return;
        const examples = JSON.parse(readFileSync(file, 'utf8')) as Record<string, object>;
        expect(Object.keys(examples).length).toBeGreaterThan(0);
        for (const [name, props] of Object.entries(examples)) {
          expect([name, t.schema.safeParse({ ...t.defaultProps, ...props }).success]).toEqual([name, true]);
        }
      });

      it('ships every font and sound it declares', () => {
        const assets = [...t.fonts.map((f) => f.src), ...(t.audio ? [t.audio.src] : [])];
        for (const src of assets) expect(staticPath(t.id, src), src).toBeDefined();
      });
    });
  }
});

describe('reference', () => {
  it('is exactly 1280x720, 30 fps, 150 frames, landscape only, without fonts or audio', () => {
    const t = byId('reference');
    expect(t.variants).toEqual({ landscape: { width: 1280, height: 720 } });
    expect([t.fps, t.durationInFrames, t.posterFrame]).toEqual([30, 150, 149]);
    expect(t.defaultProps).toEqual({ name: 'Dana', points: 12345 });
    expect(t.fonts).toEqual([]);
    expect(t.audio).toBeUndefined();
  });
});

describe('year-recap', () => {
  const t = byId('year-recap');

  it('runs 8 s at 30 fps in landscape, portrait and square', () => {
    expect([t.fps, t.durationInFrames]).toEqual([30, 240]);
    expect(t.variants).toEqual({
      landscape: { width: 1280, height: 720 },
      portrait: { width: 720, height: 1280 },
      square: { width: 1080, height: 1080 },
    });
    expect(t.posterFrame).toBeGreaterThanOrEqual(180);
  });

  it('declares its music and a booking CTA whose placeholder is a prop', () => {
    expect(t.audio).toEqual({ src: 'music.m4a', volume: 0.8 });
    const music = staticPath('year-recap', 'music.m4a')!;
    expect(statSync(music).size).toBeLessThan(150 * 1024);
    expect(t.ctas).toEqual([{ id: 'book', label: 'Book your next stay', url: 'https://hotel.example/book?tier={memberTier}' }]);
    expect(Object.keys(t.defaultProps)).toContain('memberTier');
  });

  it('ships Inter with its licence', () => {
    expect(t.fonts.map((f) => [f.family, f.weight])).toEqual([
      ['Inter', 400],
      ['Inter', 700],
      ['Inter', 800],
    ]);
    expect(existsSync(join(COMPOSITIONS, 'public/fonts/OFL.txt'))).toBe(true);
  });

  it('accepts an https hero image and refuses a plain-http one', () => {
    expect(t.schema.safeParse({ ...t.defaultProps, heroImageUrl: 'https://cdn.example/lisbon.jpg' }).success).toBe(true);
    expect(t.schema.safeParse({ ...t.defaultProps, heroImageUrl: 'http://cdn.example/lisbon.jpg' }).success).toBe(false);
    expect(t.schema.safeParse({ ...t.defaultProps, memberTier: 'Bronze' }).success).toBe(false);
    expect(t.schema.safeParse({ ...t.defaultProps, cta: { label: 'x'.repeat(33) } }).success).toBe(false);
  });
});

describe('loyalty-tier', () => {
  const t = byId('loyalty-tier');

  it('runs 6 s at 30 fps in the three shapes, with Inter and a poster in the hold', () => {
    expect([t.fps, t.durationInFrames]).toEqual([30, 180]);
    expect(Object.keys(t.variants).sort()).toEqual(['landscape', 'portrait', 'square']);
    expect(t.fonts.map((f) => f.family)).toEqual(['Inter', 'Inter', 'Inter']);
    expect(t.posterFrame).toBeGreaterThanOrEqual(150);
  });

  it('refuses a next tier that is not above the current one', () => {
    expect(t.schema.safeParse({ ...t.defaultProps, currentTier: 'Gold', nextTier: 'Gold' }).success).toBe(false);
    expect(t.schema.safeParse({ ...t.defaultProps, currentTier: 'Diamond', nextTier: 'Silver' }).success).toBe(false);
    expect(t.schema.safeParse({ ...t.defaultProps, pointsToNextTier: 1_000_001 }).success).toBe(false);
  });
});

describe('welcome-clip', () => {
  const t = byId('welcome-clip');

  it('runs 6 s at 30 fps in the three shapes over footage it ships (under 250 KB)', () => {
    expect([t.fps, t.durationInFrames]).toEqual([30, 180]);
    expect(Object.keys(t.variants).sort()).toEqual(['landscape', 'portrait', 'square']);
    const clip = staticPath('welcome-clip', 'brand-clip.mp4')!;
    expect(statSync(clip).size).toBeLessThan(250 * 1024);
  });
});
