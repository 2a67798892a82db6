import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseProps } from '../../../src/cli/parse-props.js';

const schema = {
  type: 'object',
  properties: {
    name: { type: 'string' },
    points: { type: 'integer' },
    cta: { type: 'object', properties: { label: { type: 'string' } } },
  },
};

describe('parseProps', () => {
  it('keeps strings as text and reads other types as JSON, with dotted keys', async () => {
    const props = await parseProps(undefined, ['name=007', 'points=12345', 'cta.label=Book now'], schema);
    expect(props).toEqual({ name: '007', points: 12345, cta: { label: 'Book now' } });
  });

  it('merges --prop over a --props file', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'props-'));
    const file = path.join(dir, 'p.json');
    await writeFile(file, JSON.stringify({ name: 'Dana', points: 1 }));
    expect(await parseProps(file, ['points=2'], schema)).toEqual({ name: 'Dana', points: 2 });
    await writeFile(file, '{ nope');
    await expect(parseProps(file, [], schema)).rejects.toThrow(/not valid JSON/);
    await rm(dir, { recursive: true });
  });

  it('refuses malformed pairs and prototype keys', async () => {
    await expect(parseProps(undefined, ['nameDana'], schema)).rejects.toThrow(/key=value/);
    await expect(parseProps(undefined, ['__proto__.polluted=1'], schema)).rejects.toThrow(/invalid prop key/);
  });
});
