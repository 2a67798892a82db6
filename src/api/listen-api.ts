import { createServer, type RequestListener, type Server } from 'node:http';
import { AppError } from '../errors/index.js';

/**
 * Listens on the public port. Backlog 4096 (the kernel caps it at
 * net.core.somaxconn): an ESP's send opens thousands of connections at once,
 * and Node's default of 511 drops the rest's SYNs into 1 s, 3 s, 7 s retries.
 * A port that is taken or forbidden is a configuration error that says what to set.
 */
export async function listenApi(handler: RequestListener, port: number, host: string): Promise<Server> {
  const server = createServer(handler).listen(port, host, 4096);
  await new Promise<void>((resolve, reject) => {
    server.once('listening', resolve);
    server.once('error', (err: NodeJS.ErrnoException) => {
      if (err.code !== 'EADDRINUSE' && err.code !== 'EACCES') return reject(err);
      reject(new AppError('CONFIG_INVALID', `the API port ${host}:${port} cannot be used (${err.code}): set API_PORT (or --port) to a free port`, { cause: err }));
    });
  });
  return server;
}
