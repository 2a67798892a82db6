import { mkdtemp, readdir, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { probe } from '../../../src/encode/index.js';
import { AppError } from '../../../src/errors/index.js';
import { createRemoteAssetFetcher } from '../../../src/render/remote-assets/index.js';
import { decodeRgb, near, pixelAt, readRgb } from '../../helpers/pixels.js';
import { createTestEngine, type TestEngine } from '../../helpers/render-engine.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'mastercut-faults-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function expectAppError(promise: Promise<unknown>, code: string): Promise<AppError> {
  const err = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(AppError);
  expect((err as AppError).code).toBe(code);
  return err as AppError;
}

describe('with the project templates', () => {
  let engine: TestEngine;
  beforeAll(async () => {
    engine = await createTestEngine({ poolSize: 2 });
  });
  afterAll(async () => {
    await engine?.close();
  });

  it('survives a browser killed mid-render and re-renders its frames', async () => {
    const out = path.join(dir, 'killed.mp4');
    let killed = false;
    const result = await engine.renderVideo({
      templateId: 'reference',
      out,
      chunkSize: undefined,
      onProgress: (p) => {
        if (!killed && p.framesDone >= 30) {
          killed = true;
          process.kill(engine.pool.pids()[0]!, 'SIGKILL');
        }
      },
    } as Parameters<TestEngine['renderVideo']>[0]);
    expect(killed).toBe(true);
    expect(result.browserRestarts).toBeGreaterThanOrEqual(1);
    const info = await probe(out, { countFrames: true });
    expect(info.video?.frames).toBe(150);
    // Frame 120 (p = 0.8) has its circle centred at 0.8 * 1080 + 100 = 964.
    const frame = await readRgb(out, { width: 1280, height: 720 }, 120);
    expect(near(pixelAt(frame, 964, 500), [255, 255, 0], 40)).toBe(true);
    // The pool replaced the dead browser.
    await expect.poll(() => engine.pool.stats().live, { timeout: 10_000 }).toBe(2);
  });

  it('refuses invalid props listing every failing field, and writes nothing', async () => {
    const out = path.join(dir, 'invalid.mp4');
    const err = await expectAppError(
      engine.renderVideo({ templateId: 'year-recap', out, props: { firstName: 'x'.repeat(41), nightsStayed: -1, memberTier: 'Bronze' } }),
      'INVALID_PROPS',
    );
    for (const field of ['firstName', 'nightsStayed', 'memberTier']) expect(err.message).toContain(field);
    expect(err.message).not.toContain('x'.repeat(41));
    expect(await readdir(dir)).not.toContain('invalid.mp4');
  });

  it('refuses a remote image on a loopback address before rendering', async () => {
    const err = await expectAppError(
      engine.renderVideo({ templateId: 'year-recap', out: path.join(dir, 'ssrf.mp4'), props: { heroImageUrl: 'https://127.0.0.1/x.png' } }),
      'INVALID_PROPS',
    );
    expect(err.message).toContain('heroImageUrl');
  });

  it('names unknown templates and variants', async () => {
    await expectAppError(engine.renderVideo({ templateId: 'nope', out: path.join(dir, 'a.mp4') }), 'TEMPLATE_NOT_FOUND');
    const err = await expectAppError(
      engine.renderVideo({ templateId: 'reference', variant: 'portrait', out: path.join(dir, 'a.mp4') }),
      'VARIANT_NOT_FOUND',
    );
    expect(err.message).toContain('landscape');
  });

  it('refuses an unwritable output path before rendering', async () => {
    const err = await expectAppError(
      engine.renderVideo({ templateId: 'reference', out: path.join(dir, 'missing-dir', 'a.mp4') }),
      'OUTPUT_NOT_WRITABLE',
    );
    expect(err.message).toContain('missing-dir');
  });
});

describe('with the failure fixtures', () => {
  let engine: TestEngine;
  beforeAll(async () => {
    // Every host "resolves" to loopback, as a hostile DNS answer would.
    const remoteImages = createRemoteAssetFetcher(
      { lookup: async () => [{ address: '127.0.0.1', family: 4 }] },
      { cacheDir: path.join(dir, 'assets') },
    );
    engine = await createTestEngine({ poolSize: 1, fixtures: true, remoteImages });
  });
  afterAll(async () => {
    await engine?.close();
  });

  it('times out a never-ending delayRender and names its label and frame', async () => {
    const out = path.join(dir, 'hang.mp4');
    const err = await expectAppError(engine.renderVideo({ templateId: 'hang', out }), 'DELAY_RENDER_TIMEOUT');
    expect(err.message).toContain('load customer data');
    expect(err.message).toContain('hang');
    expect(err.message).toMatch(/frame \d+/);
    expect(await readdir(dir)).not.toContain('hang.mp4');
  });

  it('blocks a remote image whose host resolves to loopback, after DNS', async () => {
    const out = path.join(dir, 'rebind.png');
    const err = await expectAppError(
      engine.renderVideo({ templateId: 'remote-img', out, props: { src: 'https://images.example.com/a.png?email=someone' } }),
      'ASSET_FORBIDDEN',
    );
    expect(err.message).toContain('images.example.com');
    expect(err.message).not.toContain('someone');
  });

  it('still renders after those failures (the browser stays usable)', async () => {
    const out = path.join(dir, 'after.png');
    await engine.renderVideo({ templateId: 'remote-img', out, props: { src: 'data:image/gif;base64,R0lGODlhAQABAIAAAP///wAAACH5BAEAAAAALAAAAAABAAEAAAICRAEAOw==' } });
    const image = await decodeRgb(await import('node:fs/promises').then((fs) => fs.readFile(out)), { width: 320, height: 180 });
    expect(near(pixelAt(image, 300, 170), [0, 0, 0], 4)).toBe(true);
  });
});

describe('audio registered by the page', () => {
  let engine: TestEngine;
  beforeAll(async () => {
    engine = await createTestEngine({ poolSize: 2, fixtures: true });
  });
  afterAll(async () => {
    await engine?.close();
  });

  it('mixes an <Audio> inside a Sequence at its start frame', async () => {
    const out = path.join(dir, 'audio-seq.mp4');
    await engine.renderVideo({ templateId: 'audio-seq', out });
    const info = await probe(out);
    expect(info.audio?.codec).toBe('aac');
    expect(info.durationSec).toBeCloseTo(1, 1);
    // Silent before frame 15 (0.5 s), the tone after it.
    expect(await meanVolume(out, 0, 0.4)).toBeLessThan(-60);
    expect(await meanVolume(out, 0.6, 0.3)).toBeGreaterThan(-30);
  });
});

async function meanVolume(file: string, start: number, duration: number): Promise<number> {
  const { execFile } = await import('node:child_process');
  const stderr = await new Promise<string>((resolve, reject) =>
    execFile(
      'ffmpeg',
      ['-hide_banner', '-ss', String(start), '-t', String(duration), '-i', file, '-vn', '-af', 'volumedetect', '-f', 'null', '-'],
      (err, _stdout, stderrText) => (err ? reject(err) : resolve(stderrText)),
    ),
  );
  return Number(/mean_volume: (-?[\d.]+|-inf) dB/.exec(stderr)?.[1] ?? -Infinity);
}
