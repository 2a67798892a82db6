import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as esbuild from 'esbuild';
import { reactProductionEsm } from './react-production-esm.js';

/** This file: its hash is one of the player bundle's inputs, so a change to the stand-in below rebuilds it. */
const PLAYER_BUNDLE_BUILDER = fileURLToPath(import.meta.url);

export interface PlayerBundleOptions {
  templateId: string;
  compositionsDir: string;
  /** The composition runtime entry (exports createPlayerApi). */
  runtimeEntry: string;
}

export interface PlayerBundle {
  /** `player.js`: an ES module whose default export is the template's PlayerApi. */
  js: Uint8Array;
  /** Source files it was built from (absolute paths). */
  inputs: string[];
}

/**
 * zod's stand-in inside `player.js`. Every name a template imports (`z`,
 * `object`, the `* as z` namespace, the default) is one inert value that any
 * property read, call or `new` returns again, so module-level schema building
 * (`z.object({...}).max(3).optional()`) runs and builds nothing; `parse` and
 * `safeParse` hand the value back. Props were validated by the server when
 * the link was made, and the definition when the full bundle was built. zod
 * is about 450 KB of the 720 KB full bundle.
 *
 * CommonJS, so any name resolves at run time: esbuild's interop copies a
 * module's own properties onto an object with the same prototype, and that
 * prototype answers every name.
 */
const INERT_ZOD = `'use strict';
const pass = { safeParse: (data) => ({ success: true, data }), parse: (data) => data,
  safeParseAsync: async (data) => ({ success: true, data }), parseAsync: async (data) => data,
  toString: () => '[zod is left out of the player bundle]', valueOf: () => 0 };
const skip = (key) => typeof key === 'symbol' || key === 'then';
const inert = new Proxy(function inertSchema() {}, {
  get: (_target, key) => (skip(key) ? undefined : Object.prototype.hasOwnProperty.call(pass, key) ? pass[key] : inert),
  apply: () => inert,
  construct: () => inert,
});
const anyName = new Proxy({}, { get: (_target, key) => (skip(key) ? undefined : inert) });
module.exports = Object.create(anyName, { __esModule: { value: true } });
`;

/** Sends `zod` and its subpaths (`zod/v4`, `zod/mini`) to the inert stand-in. */
const inertZod: esbuild.Plugin = {
  name: 'inert-zod',
  setup(build) {
    build.onResolve({ filter: /^zod(\/.*)?$/ }, () => ({ path: 'zod', namespace: 'inert-zod' }));
    build.onLoad({ filter: /.*/, namespace: 'inert-zod' }, () => ({ contents: INERT_ZOD, loader: 'js' }));
  },
};

/**
 * Marks the runtime's own modules (neither a template file nor a package)
 * free of side effects, so a module none of whose exports is used is left
 * out even when it runs code at load (`createContext()`, a colour table, a
 * static property set on a component). Templates keep theirs: a module-level
 * `prefetch()` must run.
 */
function runtimeWithoutSideEffects(compositionsDir: string): esbuild.Plugin {
  const templates = path.resolve(compositionsDir) + path.sep;
  return {
    name: 'runtime-without-side-effects',
    setup(build) {
      build.onResolve({ filter: /^\./ }, async (args) => {
        if ((args.pluginData as { inner?: boolean } | undefined)?.inner) return undefined;
        const resolved = await build.resolve(args.path, { kind: args.kind, importer: args.importer, resolveDir: args.resolveDir, pluginData: { inner: true } });
        if (resolved.errors.length > 0) return { errors: resolved.errors };
        const runtime = !resolved.path.startsWith(templates) && !resolved.path.includes(`${path.sep}node_modules${path.sep}`);
        return { path: resolved.path, namespace: resolved.namespace, sideEffects: runtime ? false : resolved.sideEffects };
      });
    },
  };
}

/**
 * Builds a template's player bundle, `player.js`: the template and the
 * runtime's playback path (React, the player, `<Video>`, `prefetch()`,
 * fonts) and its frame source (the page API mounted in an element of the
 * page, for the zero-knowledge page's in-browser MP4: about 2.7 KB), with no
 * zod, no `window.__mastercut` and no props validation. The landing page
 * loads it with `modulepreload` + `import()`; the render workers keep using
 * `bundle.js`. Throws esbuild's error (the caller wraps it).
 */
export async function buildPlayerBundle(options: PlayerBundleOptions): Promise<PlayerBundle> {
  const entry = [
    `import template from ${JSON.stringify(`./${options.templateId}/index.tsx`)};`,
    `import { createPlayerApi } from ${JSON.stringify(options.runtimeEntry)};`,
    'export default createPlayerApi(template);',
  ].join('\n');
  const root = path.dirname(options.compositionsDir);
  const result = await esbuild.build({
    stdin: { contents: entry, resolveDir: options.compositionsDir, loader: 'tsx', sourcefile: 'player-entry.tsx' },
    absWorkingDir: root,
    bundle: true,
    write: false,
    metafile: true,
    format: 'esm',
    platform: 'browser',
    // Phones: module scripts and import() are in every browser of the last few years.
    target: ['chrome100', 'safari15', 'firefox100'],
    minify: true,
    jsx: 'automatic',
    legalComments: 'none',
    // MASTERCUT_PLAYER_BUNDLE: defineTemplate() skips the definition check (see define-template.ts).
    define: { 'process.env.NODE_ENV': '"production"', MASTERCUT_PLAYER_BUNDLE: 'true' },
    plugins: [inertZod, reactProductionEsm(root), runtimeWithoutSideEffects(options.compositionsDir)],
    outfile: 'player.js',
    logLevel: 'silent',
  });
  const inputs = Object.keys(result.metafile.inputs)
    .filter((input) => !input.startsWith('inert-zod:') && !input.endsWith('player-entry.tsx'))
    .map((input) => path.resolve(root, input));
  return { js: result.outputFiles[0]!.contents, inputs: [...inputs, PLAYER_BUNDLE_BUILDER] };
}
