import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as esbuild from 'esbuild';

/**
 * Builds `dist/zero-knowledge.js`, the brand-side module (`mastercut/zero-knowledge`
 * in package.json `exports`): src/zero-knowledge bundled into one ES module
 * with no imports at all, for Node 20+, browsers, Deno and Bun. Run by
 * `npm run build:zk` (and before `npm pack`). Prints its size.
 */
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const outfile = path.join(root, 'dist/zero-knowledge.js');
const result = await esbuild.build({
  entryPoints: [path.join(root, 'src/zero-knowledge/index.ts')],
  bundle: true,
  write: false,
  format: 'esm',
  platform: 'neutral',
  target: ['node20', 'chrome100', 'safari15', 'firefox100'],
  legalComments: 'none',
  logLevel: 'silent',
});
const js = result.outputFiles[0]!.contents;
await mkdir(path.dirname(outfile), { recursive: true });
await writeFile(outfile, js);
process.stdout.write(`wrote ${path.relative(root, outfile)} (${js.length} bytes)\n`);
