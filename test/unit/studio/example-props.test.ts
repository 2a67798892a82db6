import { mkdtemp, readFile, rm, writeFile, mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { examplesPath, readExamples, saveExample } from '../../../src/studio/index.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'mastercut-examples-'));
  await mkdir(path.join(dir, 'demo'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('stored example props', () => {
  it('are none until one is saved, then kept by name in compositions/<id>/examples.json', async () => {
    expect(await readExamples(dir, 'demo')).toEqual({});
    await saveExample(dir, 'demo', 'Kenji (Gold)', { firstName: 'Kenji' });
    await saveExample(dir, 'demo', '  Amara  ', { firstName: 'Amara' });
    await saveExample(dir, 'demo', 'Kenji (Gold)', { firstName: 'Kenji', points: 3 });
    expect(await readExamples(dir, 'demo')).toEqual({ 'Kenji (Gold)': { firstName: 'Kenji', points: 3 }, Amara: { firstName: 'Amara' } });
    expect(JSON.parse(await readFile(examplesPath(dir, 'demo'), 'utf8'))).toHaveProperty('Amara');
  });

  it('refuse names that are empty, too long or odd', async () => {
    for (const name of ['', '   ', 'x'.repeat(61), '<script>', 'a/b']) {
      await expect(saveExample(dir, 'demo', name, {})).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
    }
  });

  it('name a malformed file', async () => {
    await mkdir(path.join(dir, 'bad'));
    await writeFile(examplesPath(dir, 'bad'), '["not", "an", "object"]');
    await expect(readExamples(dir, 'bad')).rejects.toThrow(/bad\/examples\.json/);
  });
});
