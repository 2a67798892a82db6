/**
 * The import graph of src/ and workers/ (static imports, `export ... from`,
 * `import type` and dynamic `import()` alike), and the rules the layout in
 * docs/architecture.md asks of it. TypeScript 7 has no JavaScript API to parse
 * with, so statements are read with two anchored patterns (see STATIC_IMPORT).
 */
import { readFileSync, readdirSync, statSync, existsSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';

export interface ImportEdge {
  /** Importing file, relative to the repository root, with `/` separators. */
  from: string;
  /** Imported file, resolved the way the bundler resolves it. */
  to: string;
  /** The specifier as written. */
  spec: string;
}

const SOURCE_EXT = ['.ts', '.tsx'];

/**
 * `import ... from '...'`, `import '...'`, `export ... from '...'` at the start of a
 * line; the clause between the keyword and `from` may only hold what an import
 * clause holds (names, braces, commas, `*`, `as`, `type`), so an `export const`
 * followed by a string further down never matches.
 */
const STATIC_IMPORT = /^[ \t]*(?:import|export)\s+(?:type\s+)?(?:[\w*{}\s,$]*?\bfrom\s*)?['"]([^'"\n]+)['"]/gm;
/** `import('...')` with a literal specifier. */
const DYNAMIC_IMPORT = /\bimport\(\s*['"]([^'"\n]+)['"]\s*\)/g;

/** Every specifier a source file imports or re-exports from. */
export function readSpecifiers(source: string): string[] {
  const specs: string[] = [];
  for (const m of source.matchAll(STATIC_IMPORT)) specs.push(m[1]!);
  for (const m of source.matchAll(DYNAMIC_IMPORT)) specs.push(m[1]!);
  return specs;
}

function listSources(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) out.push(...listSources(path));
    else if (SOURCE_EXT.some((e) => name.endsWith(e)) && !name.endsWith('.d.ts')) out.push(path);
  }
  return out;
}

/** Resolves a relative specifier to a source file (`.js` written for `.ts`, folders to index.ts). */
function resolveSpec(fromFile: string, spec: string): string | undefined {
  const base = resolve(dirname(fromFile), spec);
  const stem = base.replace(/\.(js|jsx|mjs|ts|tsx)$/, '');
  const candidates = [
    ...SOURCE_EXT.map((e) => stem + e),
    ...SOURCE_EXT.map((e) => join(base, 'index' + e)),
  ];
  return candidates.find((c) => existsSync(c) && statSync(c).isFile());
}

/** Every relative import edge between the files under `roots` (folders relative to `repoRoot`). */
export function readImportGraph(repoRoot: string, roots: string[]): ImportEdge[] {
  const edges: ImportEdge[] = [];
  for (const root of roots) {
    for (const file of listSources(join(repoRoot, root))) {
      for (const spec of readSpecifiers(readFileSync(file, 'utf8'))) {
        if (!spec.startsWith('.')) continue;
        const target = resolveSpec(file, spec);
        if (!target) continue;
        edges.push({
          from: relative(repoRoot, file).split('\\').join('/'),
          to: relative(repoRoot, target).split('\\').join('/'),
          spec,
        });
      }
    }
  }
  return edges;
}

/** The domain a file belongs to: `src/<name>` for source folders, `workers` and so on for top-level roots. */
export function domainOf(file: string): string {
  const parts = file.split('/');
  if (parts[0] === 'src') return parts.length > 2 ? parts[1]! : 'src';
  return parts[0]!;
}

/** The door of a domain: the one file other domains may import. */
export function doorOf(domain: string): string {
  return `src/${domain}/index.ts`;
}

/** Cross-domain edges that do not go through the target domain's index.ts. */
export function deepImports(edges: ImportEdge[]): ImportEdge[] {
  return edges.filter((e) => {
    const a = domainOf(e.from);
    const b = domainOf(e.to);
    if (a === b || !e.to.startsWith('src/')) return false;
    return e.to !== doorOf(b);
  });
}

/** Strongly connected components with more than one node (Tarjan), i.e. the import circles. */
export function circles(nodes: Iterable<string>, edges: Array<[string, string]>): string[][] {
  const adj = new Map<string, string[]>();
  for (const n of nodes) adj.set(n, []);
  for (const [a, b] of edges) {
    if (!adj.has(a)) adj.set(a, []);
    if (!adj.has(b)) adj.set(b, []);
    adj.get(a)!.push(b);
  }
  let index = 0;
  const idx = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const out: string[][] = [];
  // Iterative Tarjan: the file graph is deep enough to matter for recursion.
  for (const start of adj.keys()) {
    if (idx.has(start)) continue;
    const work: Array<{ node: string; next: number }> = [{ node: start, next: 0 }];
    idx.set(start, index);
    low.set(start, index++);
    stack.push(start);
    onStack.add(start);
    while (work.length) {
      const top = work[work.length - 1]!;
      const succ = adj.get(top.node)!;
      if (top.next < succ.length) {
        const w = succ[top.next++]!;
        if (!idx.has(w)) {
          idx.set(w, index);
          low.set(w, index++);
          stack.push(w);
          onStack.add(w);
          work.push({ node: w, next: 0 });
        } else if (onStack.has(w)) {
          low.set(top.node, Math.min(low.get(top.node)!, idx.get(w)!));
        }
      } else {
        work.pop();
        if (work.length) {
          const parent = work[work.length - 1]!.node;
          low.set(parent, Math.min(low.get(parent)!, low.get(top.node)!));
        }
        if (low.get(top.node) === idx.get(top.node)) {
          const scc: string[] = [];
          let w: string;
          do {
            w = stack.pop()!;
            onStack.delete(w);
            scc.push(w);
          } while (w !== top.node);
          if (scc.length > 1) out.push(scc.sort());
        }
      }
    }
  }
  return out;
}

/**
 * Reads the layer order from the fenced ```layers block of docs/architecture.md:
 * one line per layer, lowest first, domains separated by spaces.
 */
export function readLayers(markdown: string): string[][] {
  const m = /```layers\n([\s\S]*?)```/.exec(markdown);
  if (!m) throw new Error('docs/architecture.md has no ```layers block');
  return m[1]!
    .split('\n')
    .map((l) => l.replace(/#.*$/, '').trim())
    .filter(Boolean)
    .map((l) => l.replace(/^\d+\s*[:.]\s*/, '').split(/\s+/));
}
