import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Registry } from 'prom-client';
import { AppError } from '../../errors/index.js';
import type { ReadinessReport } from '../health/readiness.js';

export interface OpsServerOptions {
  /** 0 picks a free port (the caller logs the one it got). */
  port: number;
  /** Default 0.0.0.0: Prometheus and the kubelet probe from outside the container. */
  host?: string;
  registry: Pick<Registry, 'metrics' | 'contentType'>;
  /** `/readyz`; without it the process is ready whenever it answers. */
  readiness?: { check(): Promise<ReadinessReport> };
  /** Extra fields of the `/healthz` answer (e.g. the role). */
  info?: Record<string, string | number>;
}

export interface OpsServer {
  port: number;
  /** `http://127.0.0.1:port`. */
  url: string;
  close(): Promise<void>;
}

/**
 * The operations port of a farm process: `GET /metrics` (Prometheus text),
 * `GET /healthz` (liveness: the event loop answers, nothing else is checked,
 * so a Redis outage never gets a pod killed) and `GET /readyz` (readiness:
 * 200 or 503 with `{status, checks:{name:{ok, detail}}}`). Plain node:http on
 * its own port, apart from the public API: metrics and check details are for
 * the cluster, not for the internet.
 */
export async function startOpsServer(options: OpsServerOptions): Promise<OpsServer> {
  const started = Date.now();
  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const path = (req.url ?? '/').split('?')[0];
    if (req.method !== 'GET' && req.method !== 'HEAD') return send(res, 405, 'application/json', JSON.stringify({ code: 'METHOD_NOT_ALLOWED', message: 'GET only' }));
    if (path === '/metrics') return send(res, 200, options.registry.contentType, await options.registry.metrics());
    if (path === '/healthz') {
      return send(res, 200, 'application/json', JSON.stringify({ status: 'ok', ...options.info, uptimeSeconds: Math.round((Date.now() - started) / 1000) }));
    }
    if (path === '/readyz') {
      const report = options.readiness ? await options.readiness.check() : { status: 'ready' as const, checks: {} };
      return send(res, report.status === 'ready' ? 200 : 503, 'application/json', JSON.stringify(report));
    }
    send(res, 404, 'application/json', JSON.stringify({ code: 'NOT_FOUND', message: 'try /metrics, /healthz or /readyz' }));
  };

  const server = createServer((req, res) => {
    handle(req, res).catch((err: unknown) => {
      if (!res.headersSent) send(res, 500, 'application/json', JSON.stringify({ code: 'INTERNAL', message: err instanceof Error ? err.message : 'error' }));
      else res.destroy();
    });
  });
  // Probes and scrapes are short: idle keep-alive sockets must not hold close() up.
  server.keepAliveTimeout = 5_000;
  server.listen(options.port, options.host ?? '0.0.0.0');
  await new Promise<void>((resolve, reject) => {
    server.once('listening', resolve);
    server.once('error', (err: NodeJS.ErrnoException) => {
      // A start-up error an operator fixes in the configuration, not a bug: say which setting.
      if (err.code !== 'EADDRINUSE' && err.code !== 'EACCES') return reject(err);
      const where = `${options.host ?? '0.0.0.0'}:${options.port}`;
      reject(new AppError('CONFIG_INVALID', `the operations port ${where} cannot be used (${err.code}): set METRICS_PORT (or --metrics-port) to a free port, or 0 for any`, { cause: err }));
    });
  });
  const { port } = server.address() as AddressInfo;
  return {
    port,
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

function send(res: ServerResponse, status: number, contentType: string, body: string): void {
  res.writeHead(status, { 'content-type': contentType, 'cache-control': 'no-store', 'content-length': Buffer.byteLength(body) });
  res.end(res.req.method === 'HEAD' ? undefined : body);
}
