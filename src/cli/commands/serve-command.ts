import { parseArgs } from 'node:util';
import { runApiServer } from '../../api/index.js';
import { usageOf } from '../command-help.js';
import { usageError } from '../../errors/index.js';

const usage = usageOf('serve');

/** `mastercut serve [--port N]`: runs the HTTP API until SIGTERM/SIGINT, then closes gracefully. */
export async function serveCommand(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: { port: { type: 'string', short: 'p' }, host: { type: 'string' } },
  });
  let port: number | undefined;
  if (values.port !== undefined) {
    port = Number(values.port);
    if (!/^\d{1,5}$/.test(values.port) || port > 65_535) throw usageError(`--port must be 0-65535\n${usage}`);
  }
  return runApiServer({ port, host: values.host });
}
