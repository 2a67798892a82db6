import { createHash } from 'node:crypto';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import * as esbuild from 'esbuild';
import type { Template } from '../composition/index.js';
import { AppError } from '../errors/index.js';

export interface WatchCompositionsOptions {
  /** Folder holding `index.ts` (exporting `templates`) and one folder per template. */
  compositionsDir: string;
  /** Called with the new templates after a save that built; not for the first load. */
  onReload: (templates: readonly Template[]) => void;
  /** Called with esbuild's or the module's error after a save that did not build; the last good templates stay. */
  onError: (message: string) => void;
}

export interface CompositionsWatcher {
  templates(): readonly Template[];
  close(): Promise<void>;
}

/**
 * Watches the templates with esbuild's watch mode and loads them into Node
 * anew after every save: the whole `compositions/index.ts` graph (templates,
 * their helpers and the composition runtime) is bundled for Node, written
 * next to the compositions (where `node_modules` resolves) under a content
 * hash name and imported, so a changed schema, duration or variant is seen
 * without a restart. Packages (react, zod) stay shared with the studio.
 * Resolves once the first load is done; a first load that fails rejects.
 */
export async function watchCompositions(options: WatchCompositionsOptions): Promise<CompositionsWatcher> {
  const outDir = path.join(path.dirname(options.compositionsDir), '.cache', 'studio-modules');
  await mkdir(outDir, { recursive: true });
  let current: readonly Template[] = [];
  let loadedFile: string | undefined;
  /** A save failed since the last load: the next good build is news even if it is the same code. */
  let broken = false;
  let first: { resolve: () => void; reject: (err: unknown) => void } | undefined;
  const firstLoad = new Promise<void>((resolve, reject) => (first = { resolve, reject }));

  const fail = (message: string): void => {
    if (first) {
      first.reject(new AppError('BUNDLE_FAILED', `the templates in ${options.compositionsDir} failed to load:\n${message}`));
      first = undefined;
    } else {
      broken = true;
      options.onError(message);
    }
  };

  const load = async (result: esbuild.BuildResult): Promise<void> => {
    if (result.errors.length > 0) return fail(esbuild.formatMessagesSync(result.errors, { kind: 'error' }).join('\n'));
    const code = result.outputFiles![0]!.contents;
    const file = path.join(outDir, `compositions-${createHash('sha256').update(code).digest('hex').slice(0, 16)}.mjs`);
    if (file === loadedFile) {
      if (broken) options.onReload(current);
      broken = false;
      return;
    }
    try {
      await writeFile(file, code);
      const module = (await import(pathToFileURL(file).href)) as { templates?: readonly Template[] };
      if (!Array.isArray(module.templates)) throw new Error('compositions/index.ts must export `templates`, an array of templates');
      current = module.templates;
    } catch (err) {
      await rm(file, { force: true });
      return fail((err as Error).message);
    }
    // Node keeps the imported module; only the file goes.
    if (loadedFile) await rm(loadedFile, { force: true });
    loadedFile = file;
    broken = false;
    if (first) {
      first.resolve();
      first = undefined;
    } else options.onReload(current);
  };

  const context = await esbuild.context({
    entryPoints: [path.join(options.compositionsDir, 'index.ts')],
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    packages: 'external',
    jsx: 'automatic',
    write: false,
    outfile: path.join(outDir, 'compositions.mjs'),
    logLevel: 'silent',
    plugins: [{ name: 'mastercut-studio-reload', setup: (build) => void build.onEnd((result) => load(result)) }],
  });
  try {
    await context.watch();
    await firstLoad;
  } catch (err) {
    await context.dispose();
    throw err;
  }
  return {
    templates: () => current,
    async close() {
      await context.dispose();
      if (loadedFile) await rm(loadedFile, { force: true });
    },
  };
}
