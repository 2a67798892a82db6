/**
 * The doors of the layout (docs/architecture.md): every import between
 * domains goes through the target's index.ts, no file or domain imports
 * itself back through others, and no arrow runs from a lower layer to a
 * higher one. Reads the source, starts nothing.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { circles, deepImports, domainOf, readImportGraph, readLayers, readSpecifiers } from './import-graph.js';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const edges = readImportGraph(repoRoot, ['src', 'workers']);
const crossDomain = edges.filter((e) => domainOf(e.from) !== domainOf(e.to));
const layers = readLayers(readFileSync(path.join(repoRoot, 'docs/architecture.md'), 'utf8'));
const layerOf = new Map(layers.flatMap((domains, i) => domains.map((d) => [d, i] as const)));

describe('import rules', () => {
  it('reads every kind of import statement, and nothing inside code', () => {
    const source = [
      "import a from './a.js';",
      "import type { B } from '../b/index.js';",
      "import {\n  c,\n  type D,\n} from './c.js';",
      "export { e } from './e.js';",
      "export * from './f.js';",
      "import './side-effect.js';",
      "const g = await import('./g.js');",
      "export const h = 'x';",
      "const text = `import nothing from here`;",
    ].join('\n');
    expect(readSpecifiers(source)).toEqual(['./a.js', '../b/index.js', './c.js', './e.js', './f.js', './side-effect.js', './g.js']);
  });

  it('finds the files and their imports', () => {
    expect(edges.length).toBeGreaterThan(500);
    expect(new Set(edges.map((e) => domainOf(e.from)))).toContain('workers');
  });

  it('reaches another domain only through its index.ts', () => {
    expect(deepImports(edges).map((e) => `${e.from} -> ${e.to}`)).toEqual([]);
  });

  it('has no import circle between files', () => {
    const files = new Set(edges.flatMap((e) => [e.from, e.to]));
    expect(circles(files, edges.map((e) => [e.from, e.to]))).toEqual([]);
  });

  it('has no import circle between domains', () => {
    const domains = new Set(crossDomain.flatMap((e) => [domainOf(e.from), domainOf(e.to)]));
    expect(circles(domains, crossDomain.map((e) => [domainOf(e.from), domainOf(e.to)]))).toEqual([]);
  });

  it('places every domain in one layer of docs/architecture.md', () => {
    const domains = new Set(edges.flatMap((e) => [domainOf(e.from), domainOf(e.to)]));
    const listed = layers.flat();
    expect([...domains].filter((d) => !layerOf.has(d))).toEqual([]);
    expect(listed.filter((d, i) => listed.indexOf(d) !== i)).toEqual([]);
  });

  it('keeps BullMQ out of Live URLs and campaigns: they hold the render lifecycle (src/renders createRenders)', () => {
    const reaching = ['src/live', 'src/campaigns'].flatMap((dir) =>
      readdirSync(path.join(repoRoot, dir), { recursive: true, encoding: 'utf8' })
        .filter((file) => /\.tsx?$/.test(file))
        .map((file) => `${dir}/${file}`)
        .filter((file) => readSpecifiers(readFileSync(path.join(repoRoot, file), 'utf8')).includes('bullmq')),
    );
    expect(reaching).toEqual([]);
  });

  it('has no arrow from a lower layer to a higher one', () => {
    const upward = crossDomain
      .filter((e) => (layerOf.get(domainOf(e.from)) ?? Infinity) < (layerOf.get(domainOf(e.to)) ?? -Infinity))
      .map((e) => `${e.from} -> ${e.to}`);
    expect(upward).toEqual([]);
  });
});
