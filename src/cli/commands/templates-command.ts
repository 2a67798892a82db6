import { parseArgs } from 'node:util';
import { loadConfig } from '../../config/index.js';
import { createDefaultRegistry } from '../../pipeline/index.js';

/** `mastercut templates [id] [--schema] [--json]` */
export async function templatesCommand(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: { schema: { type: 'boolean' }, json: { type: 'boolean' } },
  });
  const registry = createDefaultRegistry(loadConfig());
  const id = positionals[0];
  if (id) {
    const template = registry.get(id);
    if (values.schema) {
      process.stdout.write(`${JSON.stringify(registry.jsonSchema(template), null, 2)}\n`);
      return 0;
    }
    const summary = registry.list().find((t) => t.id === id)!;
    process.stdout.write(`${JSON.stringify({ ...summary, defaultProps: template.defaultProps }, null, 2)}\n`);
    return 0;
  }
  const list = registry.list();
  if (values.json) {
    process.stdout.write(`${JSON.stringify(list, null, 2)}\n`);
    return 0;
  }
  for (const t of list) {
    const variants = Object.entries(t.variants)
      .map(([name, size]) => `${name} ${size.width}x${size.height}`)
      .join(', ');
    const length = t.still ? 'still' : `${(t.durationInFrames / t.fps).toFixed(1)}s @ ${t.fps} fps`;
    process.stdout.write(`${t.id.padEnd(14)} ${length}  ${variants}${t.hasAudio ? '  (audio)' : ''}\n`);
  }
  process.stdout.write('\nProps schema: mastercut templates <id> --schema\n');
  return 0;
}
