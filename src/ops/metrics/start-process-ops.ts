import type { Redis } from 'ioredis';
import { createReadiness, type Readiness } from '../health/readiness.js';
import { createRedisCheck } from '../health/redis-check.js';
import { createFarmMetrics, type FarmMetrics } from './create-farm-metrics.js';
import type { FarmRole } from './metric-names.js';
import { startOpsServer, type OpsServer } from './start-ops-server.js';

export interface ProcessOpsDeps {
  /** The process's Redis connection: `/readyz` checks it and its eviction policy. */
  redis?: Redis;
  log: { info(obj: object, msg?: string): void };
}

export interface ProcessOpsOptions {
  role: FarmRole;
  /** METRICS_PORT (--metrics-port); 0 picks a free port. */
  port: number;
  host?: string;
  /** How long the Redis policy answer is reused. Default 10 s. */
  policyCacheMs?: number;
}

export interface ProcessOps {
  metrics: FarmMetrics;
  readiness: Readiness;
  server: OpsServer;
  /** Readiness turns false at once (a stopping process takes no new work), then the caller closes. */
  draining(): void;
  close(): Promise<void>;
}

/**
 * The operations side of one farm process, started first thing so liveness
 * answers while browsers warm or encoders are probed: its metrics registry,
 * its readiness (Redis and the eviction policy from the start; the caller
 * adds role checks as they come up) and the ops server. Logs
 * `metrics listening` with the port (the one picked when port is 0).
 */
export async function startProcessOps(deps: ProcessOpsDeps, options: ProcessOpsOptions): Promise<ProcessOps> {
  const metrics = createFarmMetrics({ role: options.role });
  const readiness = createReadiness();
  if (deps.redis) readiness.set('redis', createRedisCheck(deps.redis, { policyCacheMs: options.policyCacheMs }));
  const server = await startOpsServer({
    port: options.port,
    host: options.host,
    registry: metrics.registry,
    readiness,
    info: { role: options.role },
  });
  deps.log.info({ port: server.port, role: options.role }, 'metrics listening');
  return {
    metrics,
    readiness,
    server,
    draining: () => readiness.pending('draining', 'stopping: no new work is taken'),
    close: () => server.close(),
  };
}
