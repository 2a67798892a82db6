import { createHash } from 'node:crypto';
import { cp, mkdir, readdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import * as esbuild from 'esbuild';
import { AppError } from '../errors/index.js';
import { buildPlayerBundle, type PlayerBundle } from './build-player-bundle.js';

export interface BuildBundleOptions {
  templateId: string;
  compositionsDir: string;
  /** The composition runtime entry (exports installPageApi / installPlayerApi / createPlayerApi). */
  runtimeEntry: string;
  /** Parent directory; the bundle lands in `<outRoot>/<version>/`. */
  outRoot: string;
}

export interface BuiltBundle {
  version: string;
  dir: string;
  /** Every file the bundle depends on (sources and static files), with content hashes. */
  inputs: Record<string, string>;
}

/** The HTML shell every bundle page starts from. */
const shellHtml = `<!doctype html>
<html><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<style>html,body{margin:0;padding:0;overflow:hidden;background:transparent}</style></head>
<body><div id="root"></div><script src="bundle.js"></script></body></html>
`;

/**
 * Bundles one template with the runtime into two browser bundles plus an HTML
 * shell and its static files:
 * - `bundle.js` (+ `index.html`): everything, for the render workers (page
 *   API, props validation) and pages that want `window.__mastercutPlayer`;
 * - `player.js`: the lean ES module the landing page plays (see
 *   buildPlayerBundle()).
 *
 * The version is the content hash of all of it, so any change to the
 * template, the runtime, a dependency or an asset gives a new version (and so
 * new cache keys).
 */
export async function buildBundle(options: BuildBundleOptions): Promise<BuiltBundle> {
  let result: Awaited<ReturnType<typeof buildRenderScript>>;
  let player: PlayerBundle;
  try {
    [result, player] = await Promise.all([buildRenderScript(options), buildPlayerBundle(options)]);
  } catch (cause) {
    const message = (cause as { errors?: esbuild.Message[] }).errors?.map((e) => esbuild.formatMessagesSync([e], { kind: 'error' })).join('\n');
    throw new AppError('BUNDLE_FAILED', `template "${options.templateId}" failed to bundle:\n${message ?? String(cause)}`, { cause });
  }
  const js = result.outputFiles[0]!.contents;
  const staticFiles = await listStaticFiles(options.compositionsDir, options.templateId);

  const versionHash = createHash('sha256').update(shellHtml).update(js).update(player.js);
  const inputs: Record<string, string> = {};
  const sources = Object.keys(result.metafile.inputs)
    .filter((input) => !input.endsWith('entry.tsx'))
    .map((input) => path.resolve(path.dirname(options.compositionsDir), input));
  for (const file of new Set([...sources, ...player.inputs])) inputs[file] = sha256(await readFile(file));
  for (const [relative, source] of staticFiles) {
    const hash = sha256(await readFile(source));
    inputs[source] = hash;
    versionHash.update(relative).update(hash);
  }
  const version = versionHash.digest('hex').slice(0, 16);

  const dir = path.join(options.outRoot, version);
  if (await exists(dir)) return { version, dir, inputs };
  // Build next to the target and rename, so a concurrent reader never sees half a bundle.
  const temp = `${dir}.${process.pid}.${Date.now()}.partial`;
  await mkdir(path.join(temp, 'static'), { recursive: true });
  await writeFile(path.join(temp, 'index.html'), shellHtml);
  await writeFile(path.join(temp, 'bundle.js'), js);
  await writeFile(path.join(temp, 'player.js'), player.js);
  for (const [relative, source] of staticFiles) {
    await cp(source, path.join(temp, 'static', relative), { recursive: false });
  }
  try {
    await rename(temp, dir);
  } catch (err) {
    await rm(temp, { recursive: true, force: true });
    if (!(await exists(dir))) throw err;
  }
  return { version, dir, inputs };
}

/** `bundle.js`: the template with the whole runtime, installing the page API and the player API. */
function buildRenderScript(options: BuildBundleOptions) {
  const entry = [
    `import template from ${JSON.stringify(`./${options.templateId}/index.tsx`)};`,
    `import { installPageApi, installPlayerApi } from ${JSON.stringify(options.runtimeEntry)};`,
    'installPageApi(template);',
    'installPlayerApi(template);',
  ].join('\n');
  return esbuild.build({
    stdin: { contents: entry, resolveDir: options.compositionsDir, loader: 'tsx', sourcefile: 'entry.tsx' },
    // Metafile input paths are relative to this directory.
    absWorkingDir: path.dirname(options.compositionsDir),
    bundle: true,
    write: false,
    metafile: true,
    format: 'iife',
    platform: 'browser',
    target: 'chrome120',
    minify: true,
    jsx: 'automatic',
    legalComments: 'none',
    define: { 'process.env.NODE_ENV': '"production"' },
    outfile: 'bundle.js',
    logLevel: 'silent',
  });
}

/** Shared `compositions/public/` files, overridden by the template's own `public/`. */
export async function listStaticFiles(compositionsDir: string, templateId: string): Promise<Map<string, string>> {
  const files = new Map<string, string>();
  for (const root of [path.join(compositionsDir, 'public'), path.join(compositionsDir, templateId, 'public')]) {
    for (const relative of await walk(root)) files.set(relative, path.join(root, relative));
  }
  return new Map([...files.entries()].sort(([a], [b]) => a.localeCompare(b)));
}

async function walk(root: string, prefix = ''): Promise<string[]> {
  const entries = await readdir(path.join(root, prefix), { withFileTypes: true }).catch(() => []);
  const out: string[] = [];
  for (const entry of entries) {
    const relative = path.join(prefix, entry.name);
    if (entry.isDirectory()) out.push(...(await walk(root, relative)));
    else if (entry.isFile()) out.push(relative);
  }
  return out;
}

export function sha256(data: string | Uint8Array): string {
  return createHash('sha256').update(data).digest('hex');
}

async function exists(file: string): Promise<boolean> {
  return stat(file).then(
    () => true,
    () => false,
  );
}
