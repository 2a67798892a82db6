import { mkdtemp, readdir, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AppError, CancelledError } from '../../../src/errors/index.js';
import { createTestEngine, type TestEngine } from '../../helpers/render-engine.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'mastercut-lifecycle-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('browser recycling', () => {
  let engine: TestEngine;
  beforeAll(async () => {
    engine = await createTestEngine({ poolSize: 1, recycleAfterRenders: 2 });
  });
  afterAll(async () => {
    await engine?.close();
  });

  it('replaces a browser after N renders and keeps rendering', async () => {
    const render = (name: string) =>
      engine.renderVideo({ templateId: 'reference', out: path.join(dir, `${name}.jpg`), frame: 10, concurrency: 1 });
    await render('a');
    const firstPid = engine.pool.pids()[0];
    await render('b');
    await expect.poll(() => engine.pool.stats().recycled).toBe(1);
    await render('c');
    expect(engine.pool.pids()[0]).not.toBe(firstPid);
    expect(engine.pool.stats().restarts).toBe(0);
  });
});

describe('cancellation', () => {
  let engine: TestEngine;
  beforeAll(async () => {
    engine = await createTestEngine({ poolSize: 2 });
    await engine.pool.warm();
  });
  afterAll(async () => {
    await engine?.close();
  });

  it('stops a render when its AbortSignal fires, leaving no file', async () => {
    const controller = new AbortController();
    const out = path.join(dir, 'cancelled.mp4');
    const pending = engine.renderVideo({
      templateId: 'reference',
      out,
      signal: controller.signal,
      onProgress: (p) => {
        if (p.framesDone >= 5) controller.abort('user pressed stop');
      },
    });
    await expect(pending).rejects.toBeInstanceOf(CancelledError);
    expect((await readdir(dir)).filter((name) => name.includes('cancelled'))).toEqual([]);
  });

});

describe('render timeout', () => {
  let engine: TestEngine;
  beforeAll(async () => {
    engine = await createTestEngine({ poolSize: 2, renderTimeoutMs: 1_500 });
    await engine.pool.warm();
  });
  afterAll(async () => {
    await engine?.close();
  });

  it('fails a render that runs past its time limit with RENDER_TIMEOUT', async () => {
    const out = path.join(dir, 'slow.mp4');
    const err = await engine.renderVideo({ templateId: 'year-recap', out }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AppError);
    expect((err as AppError).code).toBe('RENDER_TIMEOUT');
    expect((await readdir(dir)).filter((name) => name.includes('slow'))).toEqual([]);
  });
});
