import { parseArgs } from 'node:util';
import { loadConfig } from '../../config/index.js';
import { startStudio } from '../../studio/index.js';
import { compositionsDir, createRenderEngine } from '../../pipeline/index.js';
import { usageOf } from '../command-help.js';
import { usageError } from '../../errors/index.js';

const usage = usageOf('studio');

/** `mastercut studio`: runs the studio until SIGINT/SIGTERM. */
export async function studioCommand(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: { port: { type: 'string', short: 'p' }, host: { type: 'string' }, compositions: { type: 'string' } },
  });
  const port = values.port === undefined ? 3030 : Number(values.port);
  if (!/^\d{1,5}$/.test(values.port ?? '3030') || port > 65_535) throw usageError(`--port must be 0-65535\n${usage}`);
  const config = loadConfig();
  const log = (line: string) => process.stderr.write(`${new Date().toLocaleTimeString()} ${line}\n`);
  const studio = await startStudio({
    config,
    compositionsDir: values.compositions ?? compositionsDir,
    createEngine: (registry) => createRenderEngine(config, { registry }),
    host: values.host,
    port,
    log,
  });
  process.stdout.write(`mastercut studio: ${studio.url}\n`);
  if (config.studio.farmUrl && config.studio.farmApiKey) log(`Live URLs from ${new URL(config.studio.farmUrl).origin}`);
  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve).once('SIGTERM', resolve);
  });
  await studio.close();
  return 0;
}
