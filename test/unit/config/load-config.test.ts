import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { envSchema, loadConfig } from '../../../src/config/index.js';
import { repoRoot } from '../../helpers/render-engine.js';

describe('loadConfig', () => {
  it('applies defaults and freezes the result', () => {
    const config = loadConfig({}, '/srv');
    expect(config.render.jpegQuality).toBe(90);
    expect(config.storage.root).toBe('/srv/out/storage');
    expect(Object.isFrozen(config.render)).toBe(true);
  });

  it('reports every problem at once', () => {
    expect(() => loadConfig({ RENDER_JPEG_QUALITY: '0', API_PORT: 'eighty', REDIS_URL: 'not a url' })).toThrowError(
      /RENDER_JPEG_QUALITY[\s\S]*API_PORT[\s\S]*REDIS_URL|RENDER_JPEG_QUALITY[\s\S]*REDIS_URL[\s\S]*API_PORT/,
    );
  });

  it('treats empty values as unset and splits lists', () => {
    const config = loadConfig({ REDIS_URL: '', API_KEYS: 'a, b,,c' });
    expect(config.farm.redisUrl).toBeUndefined();
    expect(config.farm.apiKeys).toEqual(['a', 'b', 'c']);
  });

  it('documents exactly the settings of the schema in .env.example', async () => {
    const example = await readFile(path.join(repoRoot, '.env.example'), 'utf8');
    const documented = [...example.matchAll(/^([A-Z][A-Z0-9_]+)=/gm)].map((m) => m[1]).sort();
    expect(documented).toEqual(Object.keys(envSchema.shape).sort());
  });
});
