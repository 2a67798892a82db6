import { cp, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getOrBuildBundle } from '../../../src/templates/index.js';
import { fixturesDir, repoRoot } from '../../helpers/render-engine.js';

let work: string;
let compositions: string;
const runtimeEntry = path.join(repoRoot, 'src/composition/index.ts');

beforeAll(async () => {
  // A private copy of the fixture templates at the same depth below the repo
  // root (.cache/<dir>/compositions/<id>), so their runtime imports resolve.
  await mkdir(path.join(repoRoot, '.cache'), { recursive: true });
  work = await mkdtemp(path.join(repoRoot, '.cache/bundle-test-'));
  compositions = path.join(work, 'compositions');
  await cp(fixturesDir, compositions, { recursive: true });
});
afterAll(async () => {
  await rm(work, { recursive: true, force: true });
});

describe('template version = content hash of the bundle', () => {
  const build = (outRoot: string) => getOrBuildBundle({ templateId: 'hang', compositionsDir: compositions, runtimeEntry, outRoot });

  it('is stable and served from the disk cache when nothing changed', async () => {
    const outRoot = path.join(work, 'out-stable');
    const first = await build(outRoot);
    const second = await build(outRoot);
    expect(first.fromCache).toBe(false);
    expect(second.fromCache).toBe(true);
    expect(second.version).toBe(first.version);
    expect(first.version).toMatch(/^[0-9a-f]{16}$/);
    expect(Object.keys(first.inputs)).toContain(runtimeEntry);
  });

  it('changes when the template source changes', async () => {
    const outRoot = path.join(work, 'out-source');
    const before = await build(outRoot);
    const file = path.join(compositions, 'hang', 'index.tsx');
    const text = await readFile(file, 'utf8');
    await writeFile(file, text.replace("background: '#123'", "background: '#124'"));
    const after = await build(outRoot);
    expect(after.fromCache).toBe(false);
    expect(after.version).not.toBe(before.version);
  });

  it('changes when a static file is added or edited', async () => {
    const outRoot = path.join(work, 'out-static');
    const before = await build(outRoot);
    await writeFile(path.join(compositions, 'public', 'logo.txt'), 'v1');
    const added = await build(outRoot);
    expect(added.version).not.toBe(before.version);
    await writeFile(path.join(compositions, 'public', 'logo.txt'), 'v2');
    const edited = await build(outRoot);
    expect(edited.version).not.toBe(added.version);
  });
});
