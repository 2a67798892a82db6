import { chromium, type Browser, type BrowserContext, type Locator, type Page } from 'playwright-core';
import { findChromium } from '../../../src/encode/index.js';

/** A page and the errors it threw. */
export interface Watched {
  page: Page;
  errors: string[];
}

export interface OpenPageOptions {
  viewport?: { width: number; height: number };
  mobile?: boolean;
  initScript?: string;
}

/** Chromium for the landing page tests, with fresh contexts that close after each test. */
export interface LandingBrowser {
  browser: Browser;
  /** A fresh context and page that records CSP violations (in the page) and page errors. */
  openPage(options?: OpenPageOptions): Promise<Watched>;
  /** Closes the contexts opened since the last call (afterEach). */
  closeContexts(): Promise<void>;
  close(): Promise<void>;
}

export async function launchLandingBrowser(): Promise<LandingBrowser> {
  // The headless shell plays H.264 (Debian's Chromium decodes it with its ffmpeg).
  const browser = await chromium.launch({
    executablePath: (await findChromium()).path,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
  });
  const contexts: BrowserContext[] = [];
  return {
    browser,
    async openPage(options = {}) {
      const context = await browser.newContext({
        viewport: options.viewport ?? { width: 1280, height: 800 },
        deviceScaleFactor: options.mobile ? 2 : 1,
        isMobile: options.mobile ?? false,
        hasTouch: options.mobile ?? false,
      });
      contexts.push(context);
      await context.addInitScript(`
        window.__csp = [];
        document.addEventListener('securitypolicyviolation', (e) => window.__csp.push([e.violatedDirective, e.blockedURI, e.sourceFile].join(' ')));
        ${options.initScript ?? ''}
      `);
      const page = await context.newPage();
      const errors: string[] = [];
      page.on('pageerror', (error) => errors.push(error.message));
      return { page, errors };
    },
    async closeContexts() {
      await Promise.all(contexts.splice(0).map((c) => c.close()));
    },
    close: () => browser.close(),
  };
}

// Every wait on a page is on a state or an event it reaches, with a timeout only as a
// last resort: on a busy 2-core machine the player and the decoder run late, not wrong.
export const WAIT = { timeout: 30_000 } as const;
export const stageMode = (page: Page) => page.locator('#mc-stage').getAttribute('data-mode');
export const waitMode = (page: Page, wanted: string) =>
  page.waitForFunction((m) => document.getElementById('mc-stage')?.dataset.mode === m, wanted, WAIT);
/** Waits until the element's inline transform differs from `before`: the composition moved to another frame. */
export const waitForMotion = (locator: Locator, before: string) =>
  locator.evaluate(
    (el, b) =>
      new Promise<void>((resolve) => {
        const check = () => ((el as HTMLElement).style.transform !== b ? resolve() : requestAnimationFrame(check));
        check();
      }),
    before,
  );
/** CSP violations seen by the page (the lean player bundle has no zod, whose JIT probe used to trip `script-src`). */
export const violations = (page: Page) => page.evaluate(() => (window as unknown as { __csp: string[] }).__csp);
