import { execFile } from 'node:child_process';
import { cp, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Template } from '../../src/composition/index.js';
import { probe } from '../../src/encode/index.js';
import { countNear, readRgb } from '../helpers/pixels.js';
import { createTestEngine, repoRoot, type TestEngine } from '../helpers/render-engine.js';

const bin = path.join(repoRoot, 'bin/mastercut');
let work: string;
let compositions: string;
let tests: string;
let engine: TestEngine | undefined;

function run(file: string, args: string[], cwd = repoRoot): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(file, args, { cwd, env: { ...process.env, MASTERCUT_CACHE_DIR: '.cache/test' }, timeout: 180_000 }, (err, stdout, stderr) => {
      resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr });
    });
  });
}

/**
 * A compositions folder shaped like the project's (registry, shared fonts),
 * inside the repository so that the scaffolded files resolve `zod` and
 * `react` from its node_modules.
 */
beforeAll(async () => {
  await mkdir(path.join(repoRoot, '.cache/test'), { recursive: true });
  work = await mkdtemp(path.join(repoRoot, '.cache/test/init-'));
  compositions = path.join(work, 'compositions');
  tests = path.join(work, 'tests');
  await mkdir(compositions);
  // The project's shared Inter declaration, its runtime import pointed back at the repository.
  const fonts = await readFile(path.join(repoRoot, 'compositions/_shared/fonts.ts'), 'utf8');
  await mkdir(path.join(compositions, '_shared'));
  await writeFile(path.join(compositions, '_shared/fonts.ts'), fonts.replaceAll("'../../src/", `'${path.relative(path.join(compositions, '_shared'), path.join(repoRoot, 'src'))}/`));
  await cp(path.join(repoRoot, 'compositions/public'), path.join(compositions, 'public'), { recursive: true });
  await writeFile(
    path.join(compositions, 'index.ts'),
    "import other from './other/index.js';\n\n/** Registry. */\nexport const templates = [other] as const;\n\nexport { other };\n",
  );
});
afterAll(async () => {
  await engine?.close();
  await rm(work, { recursive: true, force: true });
});

describe('mastercut init template', () => {
  it('scaffolds a template, its example props and its test, and lists it in the registry', async () => {
    const result = await run(bin, ['init', 'template', 'spring-promo', '--dir', compositions, '--tests', tests]);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toContain('created template "spring-promo"');
    expect((await readdir(path.join(compositions, 'spring-promo'))).sort()).toEqual(['examples.json', 'index.tsx', 'schema.ts', 'spring-promo.tsx']);
    expect(await readdir(tests)).toEqual(['spring-promo.test.tsx']);
    const registry = await readFile(path.join(compositions, 'index.ts'), 'utf8');
    expect(registry).toContain("import springPromo from './spring-promo/index.js';");
    expect(registry).toContain('export const templates = [other, springPromo] as const;');
    expect(registry).toContain('export { other, springPromo };');
    // Nothing half-written is left behind.
    expect((await readdir(compositions)).filter((name) => name.includes('partial'))).toEqual([]);
  });

  it('refuses an existing template and a bad id without touching anything', async () => {
    const before = await readFile(path.join(compositions, 'spring-promo/index.tsx'), 'utf8');
    const again = await run(bin, ['init', 'template', 'spring-promo', '--dir', compositions, '--tests', tests]);
    expect(again.code).toBe(2);
    expect(again.stderr).toMatch(/INVALID_ARGUMENT.*already exists/);
    expect(await readFile(path.join(compositions, 'spring-promo/index.tsx'), 'utf8')).toBe(before);
    const bad = await run(bin, ['init', 'template', 'Spring Promo', '--dir', compositions, '--tests', tests]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/kebab-case/);
    const usage = await run(bin, ['init', 'widget', 'x']);
    expect(usage.code).toBe(2);
    expect(usage.stderr).toMatch(/usage: mastercut init template <id>/);
  });

  it('writes sources that type-check with the project settings', async () => {
    const config = path.join(work, 'tsconfig.json');
    await writeFile(config, JSON.stringify({ extends: path.join(repoRoot, 'tsconfig.json'), include: ['compositions/spring-promo', 'tests'] }));
    const result = await run(process.execPath, [path.join(repoRoot, 'node_modules/typescript/bin/tsc'), '-p', config]);
    expect(result.code, `${result.stdout}\n${result.stderr}`).toBe(0);
  });

  it('writes a test that passes as written', async () => {
    // Run in a vitest of its own, rooted at the scratch folder (the project's config only includes test/).
    const config = path.join(work, 'vitest.config.mjs');
    await writeFile(config, "export default { test: { include: ['**/*.test.tsx'] } };\n");
    const result = await run(process.execPath, [path.join(repoRoot, 'node_modules/vitest/vitest.mjs'), 'run', '--root', tests, '--config', config], tests);
    expect(result.code, `${result.stdout}\n${result.stderr}`).toBe(0);
    expect(result.stdout.replace(/\u001b\[[0-9;]*m/g, '')).toMatch(/Tests\s+6 passed/);
  });

  it('renders with the real engine: a portrait video of the example props with a held end, a square still in Inter', async () => {
    const template = (await import(path.join(compositions, 'spring-promo/index.tsx'))).default as Template;
    expect(template).toMatchObject({ id: 'spring-promo', fps: 30, durationInFrames: 90, fonts: expect.arrayContaining([expect.objectContaining({ family: 'Inter' })]) });
    engine = await createTestEngine({ poolSize: 1, templates: [template], compositionsDir: compositions });
    const example = (JSON.parse(await readFile(path.join(compositions, 'spring-promo/examples.json'), 'utf8')) as Record<string, object>)['near the limits']!;

    const video = path.join(work, 'promo.mp4');
    const result = await engine.renderVideo({ templateId: 'spring-promo', variant: 'portrait', props: example, out: video });
    expect((await probe(video, { countFrames: true })).video).toMatchObject({ codec: 'h264', width: 720, height: 1280, frames: 90 });
    // The spring lands exactly and the count stops: the last frames are reused, not captured again.
    expect(result.framesReused).toBeGreaterThan(30);

    const still = path.join(work, 'promo.png');
    await engine.renderVideo({ templateId: 'spring-promo', variant: 'square', props: { ...example, accent: '#00ff00' }, format: 'png', out: still });
    const image = await readRgb(still, { width: 1080, height: 1080 });
    // "welcome!" is drawn in the accent colour, the rest in white on a dark background.
    expect(countNear(image, { x: 0, y: 0, width: 1080, height: 1080 }, [0, 255, 0], 10)).toBeGreaterThan(1000);
    expect(countNear(image, { x: 0, y: 0, width: 1080, height: 1080 }, [255, 255, 255], 10)).toBeGreaterThan(1000);
  });
});
