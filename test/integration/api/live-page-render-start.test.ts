import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import express from 'express';
import { pino } from 'pino';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createLiveRoutes, type LiveRoutesDeps } from '../../../src/api/routes/live-routes.js';
import { AppError } from '../../../src/errors/index.js';
import type { LiveLink } from '../../../src/live/index.js';

/**
 * A cold landing page (`GET /l/:token`) starts its render only once the
 * page's bytes are out, and then through `deferColdRender` (by default a
 * short timer, so the page's player.js is served before the render competes), and a start that fails (other than the rate limit)
 * is logged while the page still answers 200: the page plays in the browser
 * whatever the render does. Everything but the route is a stand-in.
 */
const TOKEN = `v1.k1.${'A'.repeat(32)}`;
const link = {
  token: TOKEN,
  payload: { channel: 'web', exp: Math.floor(Date.now() / 1000) + 3600 },
  template: { id: 'reference', variants: { landscape: { width: 1280, height: 720 } }, fps: 30, durationInFrames: 150, ctas: [] },
  props: { name: 'Ada' },
  profile: { variant: 'landscape', deliverables: [] },
  master: { renderKey: 'a'.repeat(64), storageKey: `renders/${'a'.repeat(64)}.mp4`, data: { templateVersion: 'abcdef0123' } },
} as unknown as LiveLink;

const logLines: { level: number; code?: string; msg: string }[] = [];
/** What each render start saw: whether the page's response had finished by then. */
const starts: { pageFinished: boolean }[] = [];
let startError: unknown;
let lastResponseFinished = () => false;
let origin: string;
let server: ReturnType<ReturnType<typeof express>['listen']>;
/** Starts handed to the second app's `deferColdRender`, run when a test says so. */
const deferred: (() => void)[] = [];
let deferredOrigin: string;
let deferredServer: ReturnType<ReturnType<typeof express>['listen']>;

beforeAll(async () => {
  const logger = pino(
    { level: 'info' },
    new Writable({
      write(chunk, _enc, done) {
        logLines.push(JSON.parse(String(chunk)) as (typeof logLines)[number]);
        done();
      },
    }),
  );
  const deps = {
    resolver: { open: async () => link, pin: async () => undefined },
    logger,
    onDemand: {
      lookup: async () => undefined,
      ensure: async () => {
        starts.push({ pageFinished: lastResponseFinished() });
        if (startError) throw startError;
      },
    },
    hub: {},
    landing: { render: () => '<!doctype html><title>page</title>', csp: () => "default-src 'none'", preloadLink: (base: string) => `<${base}player.js>; rel=modulepreload` },
    store: {},
  } as unknown as LiveRoutesDeps;
  const app = express();
  app.use((_req, res, next) => {
    lastResponseFinished = () => res.writableFinished;
    next();
  });
  app.use('/l', createLiveRoutes(deps));
  server = app.listen(0, '127.0.0.1');
  await new Promise<void>((resolve) => server.once('listening', resolve));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  const deferredApp = express();
  deferredApp.use('/l', createLiveRoutes({ ...deps, deferColdRender: (start) => void deferred.push(start) }));
  deferredServer = deferredApp.listen(0, '127.0.0.1');
  await new Promise<void>((resolve) => deferredServer.once('listening', resolve));
  deferredOrigin = `http://127.0.0.1:${(deferredServer.address() as AddressInfo).port}`;
});
afterAll(async () => {
  for (const s of [server, deferredServer]) {
    s?.closeAllConnections();
    await new Promise((resolve) => s?.close(resolve));
  }
});
beforeEach(() => {
  logLines.length = 0;
  starts.length = 0;
  deferred.length = 0;
  startError = undefined;
});

const errors = () => logLines.filter((line) => line.level >= 50);

describe('cold landing page: the render start', () => {
  it('starts the render once, after the page was sent', async () => {
    const res = await fetch(`${origin}/l/${TOKEN}`);
    expect(res.status).toBe(200);
    expect(await res.text()).toContain('<title>page</title>');
    await expect.poll(() => starts.length).toBe(1);
    expect(starts[0]).toEqual({ pageFinished: true });
    expect(errors()).toEqual([]);
  });

  it('hands the start to deferColdRender once the page is out, and starts nothing before it runs', async () => {
    const res = await fetch(`${deferredOrigin}/l/${TOKEN}`);
    expect(res.status).toBe(200);
    await res.text();
    await expect.poll(() => deferred.length).toBe(1);
    expect(starts).toEqual([]);
    deferred[0]!();
    await expect.poll(() => starts.length).toBe(1);
  });

  it('logs a failed start (not a rate limit) and still answers 200', async () => {
    startError = new AppError('REDIS_UNAVAILABLE', 'queue add failed');
    const res = await fetch(`${origin}/l/${TOKEN}`);
    expect(res.status).toBe(200);
    await expect.poll(() => errors().length).toBe(1);
    expect(errors()[0]).toMatchObject({ code: 'REDIS_UNAVAILABLE', msg: 'request error' });
    // Never the token (it names the recipient's link) in a log line.
    expect(JSON.stringify(logLines)).not.toContain(TOKEN);
  });

  it('logs nothing when the start was only over the rate limit (the page plays; the MP4 waits)', async () => {
    startError = new AppError('RATE_LIMITED', 'over budget');
    const res = await fetch(`${origin}/l/${TOKEN}`);
    expect(res.status).toBe(200);
    await expect.poll(() => starts.length).toBe(1);
    // The rejection is handled in the same turn; give it a few more.
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(errors()).toEqual([]);
  });
});
