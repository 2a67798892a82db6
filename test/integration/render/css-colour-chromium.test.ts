import puppeteer, { type Browser } from 'puppeteer-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseCssColour } from '../../../src/composition/index.js';
import { CSS_NAMED_COLOURS } from '../../../src/composition/css-named-colours.js';
import { findChromium } from '../../../src/encode/index.js';

let browser: Browser;

beforeAll(async () => {
  browser = await puppeteer.launch({
    executablePath: (await findChromium()).path,
    headless: 'shell',
    pipe: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
  });
});
afterAll(async () => {
  await browser?.close();
});

/** What Chromium computes for each string as a CSS colour: [r, g, b, alpha], or null when it refuses it. */
async function chromiumColours(texts: string[]): Promise<Array<[number, number, number, number] | null>> {
  const page = await browser.newPage();
  try {
    return await page.evaluate((list: string[]) => {
      const el = document.createElement('div');
      document.body.appendChild(el);
      return list.map((text) => {
        el.style.color = '';
        el.style.color = text;
        if (el.style.color === '') return null;
        const m = /^rgba?\(([\d.]+), ([\d.]+), ([\d.]+)(?:, ([\d.]+))?\)$/.exec(getComputedStyle(el).color);
        return m ? ([Number(m[1]), Number(m[2]), Number(m[3]), m[4] === undefined ? 1 : Number(m[4])] as [number, number, number, number]) : null;
      });
    }, texts);
  } finally {
    await page.close();
  }
}

const SYNTAXES = [
  'transparent', '#fff', '#0f08', '#0b84f3', '#0B84F380', 'rgb(1, 2, 3)', 'rgba(1,2,3,0.5)', 'rgb(300, -4, 2.6)',
  'rgb(50%, 0%, 100%)', 'rgb(1 2 3 / 50%)', 'rgba(1 2 3)', 'hsl(120, 100%, 50%)', 'hsl(0 100% 25%)', 'hsl(200 40% 33%)',
  'hsla(240, 100%, 50%, 0.25)', 'hsl(0.5turn 100% 50% / 1)', 'hsl(-120deg, 100%, 50%)', 'hsl(3.1rad 60% 70%)', 'HSL(17 20% 80%)',
];
const NOT_COLOURS = ['reddish', '#12', '#12345', 'rgb(1, 2)', 'rgb(1, 2%, 3)', 'rgb(1 2 3 4)', 'rgb(1, 2, 3) x', ''];

describe('parseCssColour against Chromium', () => {
  it('reads every named colour and syntax it accepts exactly as Chromium renders it', async () => {
    const texts = [...CSS_NAMED_COLOURS.keys(), ...SYNTAXES];
    const chromium = await chromiumColours(texts);
    texts.forEach((text, i) => {
      const ours = parseCssColour(text);
      expect(ours, text).not.toBeNull();
      expect([text, ours!.r, ours!.g, ours!.b]).toEqual([text, ...chromium[i]!.slice(0, 3)]);
      // Chromium keeps alpha in 8 bits.
      expect(Math.abs(ours!.alpha - chromium[i]![3]), text).toBeLessThanOrEqual(1 / 255);
    });
  });

  it('refuses what Chromium refuses', async () => {
    const chromium = await chromiumColours(NOT_COLOURS);
    NOT_COLOURS.forEach((text, i) => {
      expect(chromium[i], text).toBeNull();
      expect(parseCssColour(text), text).toBeNull();
    });
  });
});
