import { parseArgs } from 'node:util';
import { runApiServer } from '../../api/main.js';
import { usageError } from '../run-cli.js';

const usage = `usage: mastercut serve [--port N] [--host ADDRESS]
  Starts the HTTP API (needs REDIS_URL; API keys from API_KEYS). Port default: API_PORT (8080).`;

/** `mastercut serve [--port N]`: runs the HTTP API until SIGTERM/SIGINT, then closes gracefully. */
export async function serveCommand(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: { port: { type: 'string', short: 'p' }, host: { type: 'string' }, help: { type: 'boolean' } },
  });
  if (values.help) {
    process.stdout.write(`${usage}\n`);
    return 0;
  }
  let port: number | undefined;
  if (values.port !== undefined) {
    port = Number(values.port);
    if (!/^\d{1,5}$/.test(values.port) || port > 65_535) throw usageError(`--port must be 0-65535\n${usage}`);
  }
  return runApiServer({ port, host: values.host });
}
