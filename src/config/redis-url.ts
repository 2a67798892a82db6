/** A node of a Redis Cluster, as given in REDIS_URL. */
export interface ClusterSeed {
  host: string;
  port: number;
}

/** What REDIS_URL names: one server, or a Redis Cluster reached through seed nodes. */
export type RedisTarget =
  | { kind: 'single'; url: string }
  | { kind: 'cluster'; seeds: ClusterSeed[]; username?: string; password?: string; tls: boolean };

/** The schemes REDIS_URL may use. */
export const CLUSTER_SCHEMES = ['redis-cluster:', 'rediss-cluster:'] as const;
const SINGLE_SCHEMES = ['redis:', 'rediss:'];

const USAGE =
  'use redis://[user:password@]host:port[/db] for one server, or ' +
  'redis-cluster://[user:password@]host:port[?seeds=host:port,host:port] for a Redis Cluster ' +
  '(rediss:// and rediss-cluster:// for TLS)';

function parseSeed(text: string): ClusterSeed | string {
  const m = /^(\[[0-9a-fA-F:.]+\]|[^:\s/,[\]]+):(\d{1,5})$/.exec(text.trim());
  const port = m ? Number(m[2]) : NaN;
  if (!m || port < 1 || port > 65_535) return `"${text}" is not host:port`;
  return { host: m[1]!.replace(/^\[|\]$/g, ''), port };
}

/**
 * Reads REDIS_URL. A cluster URL names one node in its authority and any
 * further seeds in `?seeds=`: ioredis finds every primary from whichever
 * seed answers first (CLUSTER SLOTS), so more seeds only help at start-up
 * while a node is down. Returns a reason string when the URL is unusable,
 * worded for a person fixing the setting (it never echoes a password).
 */
export function parseRedisUrl(text: string): RedisTarget | string {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return `not a URL; ${USAGE}`;
  }
  if (SINGLE_SCHEMES.includes(url.protocol)) return { kind: 'single', url: text };
  if (!(CLUSTER_SCHEMES as readonly string[]).includes(url.protocol)) return `scheme "${url.protocol}" is not supported; ${USAGE}`;
  if (!url.hostname || !url.port) return `a cluster URL needs host:port of one node; ${USAGE}`;
  if (url.pathname && url.pathname !== '/') return 'a Redis Cluster has only database 0: drop the /db path from REDIS_URL';
  const unknown = [...url.searchParams.keys()].filter((k) => k !== 'seeds');
  if (unknown.length > 0) return `unknown REDIS_URL parameter(s) ${unknown.join(', ')}; ${USAGE}`;
  const seeds: ClusterSeed[] = [];
  const first = parseSeed(`${url.hostname}:${url.port}`);
  if (typeof first === 'string') return `${first}; ${USAGE}`;
  seeds.push(first);
  for (const part of (url.searchParams.get('seeds') ?? '').split(',').filter((s) => s.trim() !== '')) {
    const seed = parseSeed(part);
    if (typeof seed === 'string') return `seeds: ${seed}; ${USAGE}`;
    seeds.push(seed);
  }
  return {
    kind: 'cluster',
    seeds,
    username: url.username ? decodeURIComponent(url.username) : undefined,
    password: url.password ? decodeURIComponent(url.password) : undefined,
    tls: url.protocol === 'rediss-cluster:',
  };
}
