import { createHash } from 'node:crypto';
import { cp, mkdir, readdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import * as esbuild from 'esbuild';
import { AppError } from '../errors/index.js';

export interface BuildBundleOptions {
  templateId: string;
  compositionsDir: string;
  /** The composition runtime entry (exports installPageApi / installPlayerApi). */
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
 * Bundles one template with the runtime into a browser bundle plus an HTML
 * shell and its static files. The version is the content hash of all of it,
 * so any change to the template, the runtime, a dependency or an asset gives
 * a new version (and so new cache keys).
 */
export async function buildBundle(options: BuildBundleOptions): Promise<BuiltBundle> {
  const entry = [
    `import template from ${JSON.stringify(`./${options.templateId}/index.tsx`)};`,
    `import { installPageApi, installPlayerApi } from ${JSON.stringify(options.runtimeEntry)};`,
    'installPageApi(template);',
    'installPlayerApi(template);',
  ].join('\n');
  let result: esbuild.BuildResult & { metafile: esbuild.Metafile; outputFiles: esbuild.OutputFile[] };
  try {
    result = await esbuild.build({
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
  } catch (cause) {
    const message = (cause as { errors?: esbuild.Message[] }).errors?.map((e) => esbuild.formatMessagesSync([e], { kind: 'error' })).join('\n');
    throw new AppError('BUNDLE_FAILED', `template "${options.templateId}" failed to bundle:\n${message ?? String(cause)}`, { cause });
  }
  const js = result.outputFiles[0]!.contents;
  const staticFiles = await listStaticFiles(options.compositionsDir, options.templateId);

  const versionHash = createHash('sha256').update(shellHtml).update(js);
  const inputs: Record<string, string> = {};
  for (const input of Object.keys(result.metafile.inputs)) {
    if (input.endsWith('entry.tsx')) continue;
    const file = path.resolve(path.dirname(options.compositionsDir), input);
    inputs[file] = sha256(await readFile(file));
  }
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
