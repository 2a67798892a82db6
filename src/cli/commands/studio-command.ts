import { parseArgs } from 'node:util';
import { loadConfig } from '../../config/index.js';
import { startStudio } from '../../studio/index.js';
import { compositionsDir, createRenderEngine } from '../render-engine.js';
import { usageError } from '../run-cli.js';

const usage = `usage: mastercut studio [--port N] [--host ADDRESS] [--compositions DIR]
  A local authoring server for templates; open the URL it prints in a browser:
  the template list, every variant side by side with a timeline (scrub, step
  with the arrow keys, Space plays), a props form made from the template's
  JSON Schema with inline errors and stored examples (compositions/<id>/examples.json),
  reload on save keeping the frame and props, a render button (the local engine,
  into MASTERCUT_OUT_DIR/studio/), and "Copy Live URL" when STUDIO_FARM_URL and
  STUDIO_FARM_API_KEY name a farm.
  --port           default 3030; 0 picks a free port
  --host           default 127.0.0.1 (the studio has no authentication: keep it local)
  --compositions   default this project's compositions/`;

/** `mastercut studio`: runs the studio until SIGINT/SIGTERM. */
export async function studioCommand(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: { port: { type: 'string', short: 'p' }, host: { type: 'string' }, compositions: { type: 'string' }, help: { type: 'boolean', short: 'h' } },
  });
  if (values.help) {
    process.stdout.write(`${usage}\n`);
    return 0;
  }
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
