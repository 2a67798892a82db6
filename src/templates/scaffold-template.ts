import { access, mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { AppError } from '../errors/index.js';
import { RUNTIME_ENTRY } from './runtime-entry.js';
import { scaffoldSources, type ScaffoldImports } from './scaffold-files.js';

export interface ScaffoldTemplateOptions {
  /** The new template's id, kebab-case. */
  id: string;
  /** The folder that holds the templates (`compositions/`): the template lands in `<id>/` there. */
  compositionsDir: string;
  /** Where its test `<id>.test.tsx` goes. */
  testsDir: string;
}

export interface ScaffoldTemplateResult {
  /** Every file written, absolute. */
  files: string[];
  /** Whether `<compositionsDir>/index.ts` was updated to list the template. */
  registered: boolean;
}

const KEBAB_CASE = /^[a-z][a-z0-9]*(?:-[a-z0-9]+)*$/;

const exists = (file: string): Promise<boolean> => access(file).then(() => true, () => false);

/** An import specifier from `fromDir` to `target`, with `.ts(x)` written as `.js` (the project's ESM style). */
function specifier(fromDir: string, target: string): string {
  const relative = path.relative(fromDir, target).split(path.sep).join('/').replace(/\.tsx?$/, '.js');
  return relative.startsWith('.') ? relative : `./${relative}`;
}

async function writeAtomically(file: string, text: string): Promise<void> {
  const temp = `${file}.${process.pid}.partial`;
  await writeFile(temp, text);
  await rename(temp, file);
}

/**
 * Adds the template to the registry in `<compositionsDir>/index.ts` (an
 * import, the `templates` list and the named exports), when that file has
 * the shape of the project's registry. Returns false when it does not.
 */
async function register(compositionsDir: string, id: string): Promise<boolean> {
  const file = path.join(compositionsDir, 'index.ts');
  const source = await readFile(file, 'utf8').catch(() => null);
  const list = source ? /export const templates = \[([^\]]*)\]/.exec(source) : null;
  if (!source || !list) return false;
  const name = id.replace(/-([a-z0-9])/g, (_m, c: string) => c.toUpperCase());
  const items = list[1]!.trim();
  let next = source.replace(list[0], `export const templates = [${items ? `${items.replace(/,\s*$/, '')}, ` : ''}${name}]`);
  next = next.replace(/export \{([^}]*)\};/, (_all, names: string) => `export { ${[...names.split(',').map((n) => n.trim()).filter(Boolean), name].join(', ')} };`);
  const imports = [...next.matchAll(/^import .*;$/gm)];
  const at = imports.length > 0 ? imports.at(-1)!.index! + imports.at(-1)![0].length + 1 : 0;
  next = `${next.slice(0, at)}import ${name} from './${id}/index.js';\n${next.slice(at)}`;
  await writeAtomically(file, next);
  return true;
}

/**
 * Scaffolds a new template: `<compositionsDir>/<id>/` with its schema,
 * component, definition (landscape, portrait and square variants) and
 * example props, plus `<testsDir>/<id>.test.tsx`, then lists it in the
 * registry. The folder appears whole or not at all; nothing existing is
 * overwritten.
 *
 * @throws AppError INVALID_ARGUMENT for a bad id or when the template or its test already exists.
 */
export async function scaffoldTemplate(options: ScaffoldTemplateOptions): Promise<ScaffoldTemplateResult> {
  const { id } = options;
  if (!KEBAB_CASE.test(id)) {
    throw new AppError('INVALID_ARGUMENT', `template id must be kebab-case and start with a letter (e.g. "spring-promo"), got ${JSON.stringify(id)}`);
  }
  const compositionsDir = path.resolve(options.compositionsDir);
  const testsDir = path.resolve(options.testsDir);
  const templateDir = path.join(compositionsDir, id);
  const testFile = path.join(testsDir, `${id}.test.tsx`);
  for (const target of [templateDir, testFile]) {
    if (await exists(target)) throw new AppError('INVALID_ARGUMENT', `${target} already exists: choose another id or remove it first`);
  }

  const fonts = path.join(compositionsDir, '_shared', 'fonts.ts');
  const imports: ScaffoldImports = {
    runtimeFromTemplate: specifier(templateDir, RUNTIME_ENTRY),
    runtimeFromTest: specifier(testsDir, RUNTIME_ENTRY),
    templateFromTest: specifier(testsDir, templateDir),
    fontsFromTemplate: (await exists(fonts)) ? specifier(templateDir, fonts) : null,
  };
  const sources = scaffoldSources(id, imports);

  // Write the folder beside its place and rename it in, so a failure leaves nothing half-made.
  const temp = path.join(compositionsDir, `.${id}.${process.pid}.partial`);
  await mkdir(temp, { recursive: true });
  try {
    for (const [name, text] of Object.entries(sources.templateFiles)) await writeFile(path.join(temp, name), text);
    await rename(temp, templateDir);
  } catch (cause) {
    await rm(temp, { recursive: true, force: true });
    throw new AppError('OUTPUT_NOT_WRITABLE', `cannot create ${templateDir}: ${(cause as Error).message}`, { cause });
  }
  await mkdir(testsDir, { recursive: true });
  await writeAtomically(testFile, sources.test);
  const registered = await register(compositionsDir, id);
  return { files: [...Object.keys(sources.templateFiles).map((name) => path.join(templateDir, name)), testFile], registered };
}
