import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildBundle, getOrBuildBundle } from '../../../src/templates/index.js';
import { repoRoot } from '../../helpers/render-engine.js';

let work: string;
const options = (outRoot: string) => ({
  templateId: 'year-recap',
  compositionsDir: path.join(repoRoot, 'compositions'),
  runtimeEntry: path.join(repoRoot, 'src/composition/index.ts'),
  outRoot,
});

beforeAll(async () => {
  // A fresh clone has no .cache yet.
  await mkdir(path.join(repoRoot, '.cache'), { recursive: true });
  work = await mkdtemp(path.join(repoRoot, '.cache/player-bundle-test-'));
});
afterAll(async () => {
  await rm(work, { recursive: true, force: true });
});

describe("a template's player bundle (player.js)", () => {
  it('is an ES module with the player and its frame source only: no zod, no window.__mastercut page API, no definition check', async () => {
    const built = await buildBundle(options(path.join(work, 'lean')));
    const full = await readFile(path.join(built.dir, 'bundle.js'), 'utf8');
    const player = await readFile(path.join(built.dir, 'player.js'), 'utf8');
    // What the full bundle carries and the player leaves out (each checked in the full one, so the test can fail).
    const leftOut = ['ZodError', 'window.__mastercut=', 'is declared twice'];
    for (const marker of leftOut) {
      expect(full, marker).toContain(marker);
      expect(player, marker).not.toContain(marker);
    }
    expect(player).toContain('[zod is left out of the player bundle]');
    expect(player).toMatch(/export\s*\{\s*\w+ as default\s*\}\s*;?\s*$/);
    expect(player.length).toBeLessThan(full.length * 0.4);
    // React as ES modules (react-production-esm.ts): what the player never imports is left out.
    for (const unused of ['hydrateRoot', 'cloneElement', 'preinitModule']) expect(full.includes(unused) && !player.includes(unused), unused).toBe(true);
    // The landing page's budget: 250,000 bytes of JavaScript before the first frame, the inline client (about 5.5 KB) included.
    expect(Buffer.byteLength(player)).toBeLessThanOrEqual(244_000);
    console.log(`year-recap: bundle.js ${full.length} bytes, player.js ${player.length} bytes`);
  });

  it('loads with zod imported by name, as a namespace or as the default, schemas built at module level', async () => {
    // At the fixtures' depth below the repo root, so the runtime import resolves.
    const compositionsDir = path.join(work, 'compositions');
    await mkdir(path.join(compositionsDir, 'zod-forms'), { recursive: true });
    await writeFile(
      path.join(compositionsDir, 'zod-forms', 'index.tsx'),
      [
        "import { z } from 'zod';",
        "import * as zns from 'zod';",
        "import zdefault from 'zod';",
        "import { defineTemplate, zColor } from '../../../../src/composition/index.js';",
        'const schema = z.object({ name: zns.string().min(1).max(9), tint: zColor(), tags: zdefault.array(z.enum(["a", "b"])).optional() });',
        'export const checked = schema.safeParse({ name: "" });',
        "export default defineTemplate({ id: 'zod-forms', schema, defaultProps: { name: 'x', tint: 'red' }, fps: 30, durationInFrames: 2,",
        '  variants: { square: { width: 100, height: 100 } }, component: () => null });',
      ].join('\n'),
    );
    const built = await buildBundle({ ...options(path.join(work, 'forms')), templateId: 'zod-forms', compositionsDir });
    const module = (await import(pathToFileURL(path.join(built.dir, 'player.js')).href)) as {
      default: { template: { id: string; defaultVariant: string; schema: { safeParse(v: unknown): { success: boolean; data: unknown } } } };
    };
    expect(module.default.template.id).toBe('zod-forms');
    expect(module.default.template.defaultVariant).toBe('square');
    // No validation in the player: what it is handed comes back as is.
    expect(module.default.template.schema.safeParse({ name: '' })).toEqual({ success: true, data: { name: '' } });
  });

  it('is built when the cached bundle is one from before player.js', async () => {
    const outRoot = path.join(work, 'cached');
    const first = await getOrBuildBundle(options(outRoot));
    // An older cache: same inputs, recorded with a version whose folder has no player.js.
    const old = path.join(outRoot, '00000000000000aa');
    await mkdir(old);
    await writeFile(path.join(old, 'bundle.js'), '');
    await writeFile(path.join(outRoot, 'inputs.json'), JSON.stringify({ version: '00000000000000aa', inputs: first.inputs }));
    const second = await getOrBuildBundle(options(outRoot));
    expect(second.fromCache).toBe(false);
    expect(second.version).toBe(first.version);
    await expect(readFile(path.join(second.dir, 'player.js'))).resolves.toBeInstanceOf(Buffer);
  });
});
