import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const run = promisify(execFile);
const root = path.resolve(import.meta.dirname, '../../..');

// The brand's side imports `mastercut/zero-knowledge` (package.json `exports`):
// one ES module with no imports, built by `npm run build:zk`, run here by plain
// Node (no TypeScript loader), with a zod schema of the brand's, no farm, no config.
const BRAND_SCRIPT = `
import { z } from 'zod';
import { mintZeroKnowledgeLink, openZeroKnowledgeProps } from 'mastercut/zero-knowledge';
const template = { id: 'year-recap', version: '0123456789abcdef', schema: z.object({ firstName: z.string().max(40), memberTier: z.enum(['Gold', 'Silver']) }) };
const link = await mintZeroKnowledgeLink({ baseUrl: 'https://farm.example.com', template, channel: 'web', props: { firstName: 'Zuleika', memberTier: 'Gold' }, campaignId: 'recap' });
const url = new URL(link.url);
const opened = await openZeroKnowledgeProps(url.pathname.slice(3), url.hash.slice(3), { templateId: 'year-recap' });
let refused = '';
try { await mintZeroKnowledgeLink({ baseUrl: 'https://farm.example.com', template, channel: 'web', props: { firstName: 'Zuleika', memberTier: 'Bronze' } }); } catch (e) { refused = e.code; }
console.log(JSON.stringify({ path: url.pathname, props: opened.props, pid: link.pseudonymousId, refused }));
`;

describe('mastercut/zero-knowledge as a package import', () => {
  it('is one self-contained ES module that plain Node imports by the package name, and mints and opens', async () => {
    const build = await run(process.execPath, ['--import', 'tsx', path.join(root, 'scripts/build-zero-knowledge.ts')], { cwd: root });
    expect(build.stdout).toMatch(/wrote dist\/zero-knowledge\.js \(\d+ bytes\)/);
    const js = await readFile(path.join(root, 'dist/zero-knowledge.js'), 'utf8');
    expect(js).not.toMatch(/^\s*import\s|\bimport\(|\brequire\(/m);
    const { stdout } = await run(process.execPath, ['--input-type=module', '-e', BRAND_SCRIPT], { cwd: root });
    const result = JSON.parse(stdout) as { path: string; props: unknown; pid: string; refused: string };
    expect(result.path).toMatch(/^\/z\/zk1\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/);
    expect(result.path).not.toContain('Zuleika');
    expect(result.props).toEqual({ firstName: 'Zuleika', memberTier: 'Gold' });
    expect(result.pid).toMatch(/^[A-Za-z0-9_-]{22}$/);
    expect(result.refused).toBe('INVALID_PROPS');
  });
});
