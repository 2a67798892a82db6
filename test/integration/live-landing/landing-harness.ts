import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import express from 'express';
import { createDefaultRegistry } from '../../../src/pipeline/index.js';
import { findFfmpeg } from '../../../src/encode/index.js';
import { createLandingPage, type LandingPage, type LandingPageInput } from '../../../src/live/landing/index.js';
import { repoRoot } from '../../helpers/render-engine.js';

const run = promisify(execFile);

/** One beacon the page sent. */
export interface ReceivedEvent {
  page: string;
  type: string;
  meta: Record<string, unknown>;
  /** The Live URL token and (sticky links) pin the beacon names. */
  token?: unknown;
  pin?: unknown;
}

export type PageOverrides = Partial<Omit<LandingPageInput, 'nonce'>>;

export interface LandingHarness {
  origin: string;
  landing: LandingPage;
  /**
   * `/b/<id>/<version>/` of the reference template (the default), year-recap
   * (fonts, audio, three variants) and welcome-clip (a <Video> over footage).
   */
  bundleBases: { reference: string; 'year-recap': string; 'welcome-clip': string };
  /** Registers `/l/<name>` (status not ready) and returns the input it renders. */
  addPage(name: string, overrides?: PageOverrides): Omit<LandingPageInput, 'nonce'>;
  setReady(name: string): void;
  events(name: string): ReceivedEvent[];
  /** Paths requested so far (no query strings). */
  requests: string[];
  /** The CSP header and nonce sent with the last response for `/l/<name>`. */
  lastPage(name: string): { nonce: string; csp: string } | undefined;
  close(): Promise<void>;
}

/**
 * A tiny stand-in for the API's Live URL routes around the real landing page:
 * the reference template's real bundle under /b/, a status endpoint the test
 * flips, a real H.264 MP4 and a JPEG poster made by ffmpeg, an events sink.
 */
export async function startLandingHarness(): Promise<LandingHarness> {
  const work = await mkdtemp(path.join(tmpdir(), 'mc-landing-'));
  const ffmpeg = await findFfmpeg();
  const mp4 = path.join(work, 'video.mp4');
  const jpg = path.join(work, 'poster.jpg');
  // Same length and frame rate as the reference template (150 frames at 30 fps).
  await run(ffmpeg, ['-hide_banner', '-loglevel', 'error', '-y', '-f', 'lavfi', '-i', 'testsrc2=size=640x360:rate=30:duration=5',
    '-c:v', 'libx264', '-preset', 'veryfast', '-pix_fmt', 'yuv420p', '-movflags', '+faststart', mp4]);
  await run(ffmpeg, ['-hide_banner', '-loglevel', 'error', '-y', '-f', 'lavfi', '-i', 'testsrc2=size=640x360:rate=1', '-frames:v', '1', jpg]);

  const registry = createDefaultRegistry({ cacheDir: path.join(repoRoot, '.cache/test') });
  const bundles = await Promise.all([registry.bundle('reference'), registry.bundle('year-recap'), registry.bundle('welcome-clip')]);
  const base = (b: (typeof bundles)[number]) => `/b/${b.templateId}/${b.version}/`;
  const bundleBases = { reference: base(bundles[0]), 'year-recap': base(bundles[1]), 'welcome-clip': base(bundles[2]) };
  const landing = await createLandingPage();

  const pages = new Map<string, Omit<LandingPageInput, 'nonce'>>();
  const ready = new Set<string>();
  const received: ReceivedEvent[] = [];
  const requests: string[] = [];
  const sent = new Map<string, { nonce: string; csp: string }>();

  const app = express();
  app.use((req, _res, next) => {
    requests.push(req.path);
    next();
  });
  for (const bundle of bundles) app.use(base(bundle), express.static(bundle.dir));
  app.get('/l/:name', (req, res) => {
    const input = pages.get(req.params.name);
    if (!input) return void res.status(404).end();
    const nonce = randomBytes(16).toString('base64');
    const csp = landing.csp(nonce);
    sent.set(req.params.name, { nonce, csp });
    res.set('Content-Security-Policy', csp).type('html').send(landing.render({ ...input, nonce }));
  });
  app.get('/l/:name/status', (req, res) => void res.set('Cache-Control', 'no-store').json({ ready: ready.has(req.params.name) }));
  app.get('/l/:name/video.mp4', (_req, res) => res.sendFile(mp4));
  app.get('/l/:name/poster.jpg', (_req, res) => res.sendFile(jpg));
  app.post('/l/:name/events', express.text({ type: '*/*' }), (req, res) => {
    const body = JSON.parse(String(req.body)) as { type: string; meta: Record<string, unknown>; token?: unknown; pin?: unknown };
    received.push({ page: req.params.name, type: body.type, meta: body.meta, token: body.token, pin: body.pin });
    res.status(204).end();
  });
  app.get('/go/:id', (req, res) => void res.type('html').send(`<!doctype html><title>cta ${req.params.id}</title>`));

  const server = app.listen(0, '127.0.0.1');
  await new Promise<void>((resolve) => server.once('listening', resolve));
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  return {
    origin,
    landing,
    bundleBases,
    requests,
    addPage(name, overrides = {}) {
      const input: Omit<LandingPageInput, 'nonce'> = {
        title: 'Your year with us, Kenji',
        description: 'A short video made just for you.',
        bundleBase: bundleBases.reference,
        props: { name: 'Kenji', points: 500 },
        width: 1280,
        height: 720,
        fps: 30,
        durationInFrames: 150,
        posterUrl: `/l/${name}/poster.jpg`,
        videoUrl: `/l/${name}/video.mp4`,
        statusUrl: `/l/${name}/status`,
        ctas: [
          { id: 'book', label: 'Book your next stay', href: '/go/book' },
          { id: 'offers', label: 'See offers', href: '/go/offers' },
        ],
        shareUrl: `${origin}/l/${name}`,
        ogImageUrl: `${origin}/l/${name}/poster.jpg`,
        ogUrl: `${origin}/l/${name}`,
        eventsUrl: `/l/${name}/events`,
        ...overrides,
      };
      pages.set(name, input);
      return input;
    },
    setReady: (name) => void ready.add(name),
    events: (name) => received.filter((e) => e.page === name),
    lastPage: (name) => sent.get(name),
    async close() {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
      await rm(work, { recursive: true, force: true });
    },
  };
}
