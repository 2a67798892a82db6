import path from 'node:path';
import { parseArgs } from 'node:util';
import { scaffoldTemplate } from '../../templates/index.js';
import { compositionsDir } from '../../pipeline/index.js';
import { usageOf } from '../command-help.js';
import { usageError } from '../../errors/index.js';

const usage = usageOf('init');

/** `mastercut init template <id>`: scaffolds a template, its example props and its test. */
export async function initCommand(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: { dir: { type: 'string' }, tests: { type: 'string' } },
  });
  const [what, id] = positionals;
  if (what !== 'template' || !id || positionals.length > 2) throw usageError(usage);
  const dir = path.resolve(values.dir ?? compositionsDir);
  const tests = path.resolve(values.tests ?? path.join(compositionsDir, '../test/unit/templates-definitions'));
  const result = await scaffoldTemplate({ id, compositionsDir: dir, testsDir: tests });

  const shown = (file: string) => path.relative(process.cwd(), file) || '.';
  const lines = [`created template "${id}":`, ...result.files.map((file) => `  ${shown(file)}`)];
  lines.push(
    result.registered
      ? `listed it in ${shown(path.join(dir, 'index.ts'))}`
      : `add it to your registry: import ${id.replace(/-([a-z0-9])/g, (_m, c: string) => c.toUpperCase())} from './${id}/index.js'`,
    '',
    'next:',
    `  npx vitest run ${shown(result.files.at(-1)!)}`,
    `  mastercut still ${id} --frame 89 --out ${id}.png`,
    `  mastercut render ${id} --out ${id}.mp4`,
    `  mastercut studio                  # preview it, with the examples in ${shown(path.join(dir, id, 'examples.json'))}`,
    '  the authoring guide: docs/templates.md',
    '',
  );
  process.stdout.write(lines.join('\n'));
  return 0;
}
