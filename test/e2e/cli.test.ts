import { execFile } from 'node:child_process';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { probe } from '../../src/encode/index.js';
import { repoRoot } from '../helpers/render-engine.js';

const bin = path.join(repoRoot, 'bin/mastercut');
let dir: string;

function cli(args: string[], env: Record<string, string> = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(bin, args, { cwd: repoRoot, env: { ...process.env, MASTERCUT_CACHE_DIR: '.cache/test', ...env }, timeout: 120_000 }, (err, stdout, stderr) => {
      resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr });
    });
  });
}

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'mastercut-cli-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('mastercut CLI', () => {
  it('lists templates and prints a props JSON Schema', async () => {
    const list = await cli(['templates']);
    expect(list.code).toBe(0);
    for (const id of ['reference', 'year-recap', 'loyalty-tier']) expect(list.stdout).toContain(id);
    const schema = await cli(['templates', 'year-recap', '--schema']);
    expect(schema.code).toBe(0);
    const json = JSON.parse(schema.stdout) as { properties: Record<string, { maxLength?: number }> };
    expect(json.properties.firstName?.maxLength).toBe(40);
  });

  it('renders a frame range with --prop and prints a summary', async () => {
    const out = path.join(dir, 'ref.mp4');
    const result = await cli(['render', 'reference', '--frames', '0-9', '--prop', 'name=Kenji', '--concurrency', '1', '--out', out]);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toMatch(/frames\s+10/);
    expect(result.stdout).toMatch(/fps/);
    expect(result.stderr).toMatch(/10\/10 frames/);
    const info = await probe(out, { countFrames: true });
    expect(info.video?.frames).toBe(10);
  });

  it('renders a still', async () => {
    const out = path.join(dir, 'tier.png');
    const result = await cli(['still', 'loyalty-tier', '--frame', '5', '--variant', 'square', '--concurrency', '1', '--out', out]);
    expect(result.code, result.stderr).toBe(0);
    expect((await probe(out)).video).toMatchObject({ width: 1080, height: 1080 });
  });

  it.each([
    [['render', 'year-recap', '--prop', 'nightsStayed=-5', '--out', 'bad.mp4'], 'INVALID_PROPS', 'nightsStayed'],
    [['render', 'nope', '--out', 'bad.mp4'], 'TEMPLATE_NOT_FOUND', 'year-recap'],
    [['render', 'reference', '--variant', 'portrait', '--out', 'bad.mp4'], 'VARIANT_NOT_FOUND', 'landscape'],
    [['render', 'reference', '--out', 'no-such-dir/bad.mp4'], 'OUTPUT_NOT_WRITABLE', 'no-such-dir'],
  ])('fails clearly with no output file: %j', async (args, code, hint) => {
    const result = await cli(args.map((a) => (a.endsWith('.mp4') ? path.join(dir, a) : a)));
    expect(result.code).not.toBe(0);
    expect(result.stderr).toContain(code);
    expect(result.stderr).toContain(hint);
    expect((await readdir(dir)).filter((name) => name.startsWith('bad') || name.includes('.partial'))).toEqual([]);
  });

  it('says how to install a missing ffmpeg or Chromium', async () => {
    const out = path.join(dir, 'x.mp4');
    const ffmpeg = await cli(['render', 'reference', '--out', out], { MASTERCUT_FFMPEG_PATH: '/nonexistent/ffmpeg' });
    expect(ffmpeg.code).not.toBe(0);
    expect(ffmpeg.stderr).toContain('DEPENDENCY_MISSING');
    expect(ffmpeg.stderr).toContain('apt-get install ffmpeg');
    const chromium = await cli(['render', 'reference', '--out', out], { MASTERCUT_CHROMIUM_PATH: '/nonexistent/chromium' });
    expect(chromium.code).not.toBe(0);
    expect(chromium.stderr).toContain('DEPENDENCY_MISSING');
    expect(chromium.stderr).toContain('chromium-headless-shell');
  });
});
