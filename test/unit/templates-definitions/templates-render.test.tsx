import { createElement, type ComponentType } from 'react';
import { renderToString } from 'react-dom/server';
import { describe, expect, it } from 'vitest';
import { templates } from '../../../compositions/index.js';
import { CompositionRoot, createPageRuntime, type Template } from '../../../src/composition/index.js';

/**
 * Server-renders one frame of a template inside the runtime's providers. The
 * DOM string is what the page would show: two equal strings mean the renderer
 * may reuse the previous captured image.
 */
function renderFrame(t: Template, frame: number, variant = t.defaultVariant, props: unknown = t.defaultProps): string {
  const size = t.variants[variant]!;
  const parsed = t.schema.parse(props);
  const Component = t.component as ComponentType<unknown>;
  return renderToString(
    <CompositionRoot
      frame={frame}
      config={{ ...size, fps: t.fps, durationInFrames: t.durationInFrames, variant }}
      runtime={createPageRuntime()}
      onError={(e) => {
        throw e;
      }}
    >
      {createElement(Component, parsed as object)}
    </CompositionRoot>,
  );
}

function byId(id: string): Template {
  return templates.find((x) => x.id === id)! as unknown as Template;
}

/** The held frames of each template, and one frame where things still move. */
const HOLD: Record<string, { from: number; moving: number } | undefined> = {
  reference: undefined,
  'year-recap': { from: 180, moving: 90 },
  'loyalty-tier': { from: 150, moving: 60 },
  // Its footage moves to the last frame.
  'welcome-clip': undefined,
};

describe('templates render with react-dom/server', () => {
  for (const t of templates as unknown as Template[]) {
    for (const variant of Object.keys(t.variants)) {
      it(`${t.id} (${variant}) renders its first, middle and last frame`, () => {
        const frames = [0, Math.floor(t.durationInFrames / 2), t.durationInFrames - 1];
        const html = frames.map((f) => renderFrame(t, f, variant));
        for (const h of html) expect(h.length).toBeGreaterThan(200);
        expect(html[0]).not.toBe(html[1]);
        expect(html.join('')).not.toMatch(/NaN|undefined|Infinity/);
      });
    }

    const hold = HOLD[t.id];
    if (hold) {
      it(`${t.id} holds perfectly still from frame ${hold.from} to the end, in every variant`, () => {
        for (const variant of Object.keys(t.variants)) {
          const first = renderFrame(t, hold.from, variant);
          for (const f of [hold.from + 1, hold.from + 17, t.durationInFrames - 1]) {
            expect(renderFrame(t, f, variant), `${variant} frame ${f}`).toBe(first);
          }
          expect(renderFrame(t, hold.from - 60, variant)).not.toBe(first);
          expect(renderFrame(t, hold.moving, variant)).not.toBe(renderFrame(t, hold.moving + 1, variant));
        }
      });
    }
  }
});

describe('template content', () => {
  it('reference shows the greeting, the formatted count and the exact styles', () => {
    const t = byId('reference');
    const end = renderFrame(t, 149);
    expect(end).toContain('Hello, Dana');
    expect(end).toContain('You earned 12,345 points');
    expect(end).toContain('linear-gradient(135deg, #1e3c72, #2a5298)');
    expect(end).toContain('radial-gradient(#ff0, #f80)');
    expect(end).toContain(`left:${(149 / 150) * 1080}px`);
    // p = 0.25: sin(1.57) * 100 and scale 1.075; half the points.
    const quarter = renderFrame(t, 37.5);
    expect(quarter).toContain(`translateX(${Math.sin(0.25 * 6.28) * 100}px) scale(1.075)`);
    expect(quarter).toContain('You earned 6,173 points');
    expect(renderFrame(t, 10)).toContain('opacity:0.5');
  });

  it('year-recap shows every figure in the poster frame', () => {
    const t = byId('year-recap');
    for (const variant of Object.keys(t.variants)) {
      const html = renderFrame(t, t.posterFrame, variant);
      for (const text of ['Hi Dana,', 'Your 2026 with', '42', '128,450', 'Lisbon, Portugal', 'Platinum member', 'Book your next stay']) {
        expect(html, `${variant}: ${text}`).toContain(text);
      }
    }
  });

  it('year-recap shows the hero image when given, a drawn card otherwise', () => {
    const t = byId('year-recap');
    const url = 'https://cdn.example/lisbon.jpg';
    expect(renderFrame(t, 200, 'landscape', { ...(t.defaultProps as object), heroImageUrl: url })).toContain(`src="${url}"`);
    expect(renderFrame(t, 200, 'landscape')).not.toContain('<img');
  });

  it('loyalty-tier fills to points / (points + pointsToNextTier) and says how far', () => {
    const t = byId('loyalty-tier');
    const html = renderFrame(t, 170, 'square');
    // 38,400 / 50,000 = 76.8%
    expect(html).toContain('77%');
    expect(html).toContain('11,600 points from Platinum');
    expect(renderFrame(t, 0, 'landscape')).toContain('0%');
    const reached = { ...(t.defaultProps as object), pointsToNextTier: 0 };
    expect(renderFrame(t, 170, 'portrait', reached)).toContain('100%');
  });

  it('welcome-clip shows the footage frame by frame under the name, the counted gift and the CTA', () => {
    const t = byId('welcome-clip');
    for (const variant of Object.keys(t.variants)) {
      const html = renderFrame(t, t.posterFrame, variant);
      for (const text of ['Welcome to Aurora Rewards', 'Dana.', '2,000 points', 'Start exploring']) expect(html, `${variant}: ${text}`).toContain(text);
    }
    const frameAsked = (html: string) => /frame=(\d+)/.exec(html.replaceAll('&amp;', '&'))?.[1];
    expect(frameAsked(renderFrame(t, 42))).toBe('42');
    expect(renderFrame(t, 42)).toContain('brand-clip.mp4');
    expect(renderFrame(t, 80, 'landscape', { ...(t.defaultProps as object), welcomePoints: 0 })).toContain('0 points');
  });
});
