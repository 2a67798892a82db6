import os from 'node:os';
import type { Redis } from 'ioredis';
import { AppError } from '../errors/index.js';
import { HASH_TAG, redisKeys } from '../redis/index.js';
import { farmNode } from './redis-connection.js';

export type WorkerRole = 'render' | 'transcode' | 'webhooks';

export interface WorkerHeartbeatOptions {
  role: WorkerRole;
  /** Unique per process; default `<hostname>-<pid>` (the hostname is the pod name on Kubernetes). */
  id?: string;
  /**
   * What ops want to see: encoders, concurrency, version... Never personal
   * data. `host` and `pid` default to this process's; `role`, `id`,
   * `startedAt` and `lastBeatAt` are reserved.
   */
  info: Record<string, string | number>;
  /** How often the hash is rewritten. Default 10 s. */
  intervalMs?: number;
  /** The hash expires this long after the last beat, so a crashed worker disappears on its own. Default 30 s. */
  ttlSeconds?: number;
  /** Called when a beat fails (Redis down); the next beat retries. Default: ignored. */
  onError?: (err: unknown) => void;
}

export interface WorkerHeartbeat {
  readonly id: string;
  /** The Redis key, `{mastercut}:workers:<role>:<id>`. */
  readonly key: string;
  /** Writes the hash now (the first beat is already under way when start returns). */
  beat(): Promise<void>;
  /** Replaces the info fields from the next beat on (e.g. after a fallback to the CPU). */
  update(info: Record<string, string | number>): void;
  /** Stops beating and deletes the hash, so the worker leaves the list at once. */
  stop(): Promise<void>;
}

/** A worker as listed from Redis. */
export interface WorkerRecord {
  role: WorkerRole;
  id: string;
  host: string;
  pid: number;
  startedAt: string;
  lastBeatAt: string;
  /** Seconds before the hash expires; -1 or -2 when Redis has no expiry or no key any more. */
  ttlSeconds: number;
  /** The other `info` fields, as strings (Redis hashes hold strings). */
  info: Record<string, string>;
}

const RESERVED = new Set(['role', 'id', 'startedAt', 'lastBeatAt']);
const ID_PATTERN = /^[A-Za-z0-9._-]{1,128}$/;

function keyPattern(role?: WorkerRole): string {
  return redisKeys.workerPattern(role);
}

/** The hash key of one worker. */
export function workerKey(role: WorkerRole, id: string): string {
  return redisKeys.worker(role, id);
}

function checkInfo(info: Record<string, string | number>): void {
  const clash = Object.keys(info).filter((k) => RESERVED.has(k));
  if (clash.length > 0) throw new AppError('INVALID_ARGUMENT', `heartbeat info may not set ${clash.join(', ')} (reserved fields)`);
}

/**
 * Publishes this worker in Redis: a hash at `{mastercut}:workers:<role>:<id>`
 * rewritten every `intervalMs` with an EXPIRE of `ttlSeconds`, so ops (and
 * `listWorkers`) see which workers are alive and what each can do (e.g. its
 * encoders). A crashed worker's hash expires; a clean stop deletes it.
 */
export function startWorkerHeartbeat(redis: Redis, options: WorkerHeartbeatOptions): WorkerHeartbeat {
  const id = options.id ?? `${os.hostname()}-${process.pid}`;
  if (!ID_PATTERN.test(id)) throw new AppError('INVALID_ARGUMENT', `worker id '${id}' must match ${ID_PATTERN}`);
  checkInfo(options.info);
  const intervalMs = options.intervalMs ?? 10_000;
  const ttlSeconds = options.ttlSeconds ?? 30;
  if (ttlSeconds * 1000 <= intervalMs) {
    throw new AppError('INVALID_ARGUMENT', `heartbeat ttlSeconds (${ttlSeconds}) must exceed intervalMs (${intervalMs}), or the worker would blink out between beats`);
  }
  const key = workerKey(options.role, id);
  const defaults = { host: os.hostname(), pid: String(process.pid) };
  const fixed = { role: options.role, id, startedAt: new Date().toISOString() };
  let info = { ...options.info };
  let stopped = false;
  let inFlight: Promise<void> = Promise.resolve();

  const write = async (): Promise<void> => {
    const given = Object.fromEntries(Object.entries(info).map(([k, v]) => [k, String(v)]));
    const fields = { ...defaults, ...given, ...fixed, lastBeatAt: new Date().toISOString() };
    // DEL first so that info fields dropped by update() do not linger; MULTI keeps readers from seeing a half-written hash.
    await redis.multi().del(key).hset(key, fields).expire(key, ttlSeconds).exec();
  };
  const beat = (): Promise<void> => {
    if (stopped) return Promise.resolve();
    const next = inFlight.then(write);
    inFlight = next.catch((err: unknown) => options.onError?.(err));
    return next;
  };
  const timer = setInterval(() => void beat().catch(() => {}), intervalMs);
  // The heartbeat must not keep a finished process alive.
  timer.unref();
  void beat().catch(() => {});

  return {
    id,
    key,
    beat,
    update(next) {
      checkInfo(next);
      info = { ...next };
    },
    async stop() {
      if (stopped) return;
      stopped = true;
      clearInterval(timer);
      await inFlight;
      // Redis down: the DEL would wait for a reconnect and stall the shutdown; the key expires by itself.
      if (redis.status === 'ready') await redis.del(key);
    },
  };
}

/**
 * The live workers, from their heartbeat hashes (SCAN on the key pattern, so
 * no index to keep in sync). Sorted by role, then id.
 */
export async function listWorkers(redis: Redis, role?: WorkerRole): Promise<WorkerRecord[]> {
  const keys: string[] = [];
  // SCAN names no key: on a Redis Cluster it must go to the primary that holds the farm's slot.
  const node = await farmNode(redis, HASH_TAG);
  let cursor = '0';
  do {
    const [next, batch] = await node.scan(cursor, 'MATCH', keyPattern(role), 'COUNT', 200);
    cursor = next;
    keys.push(...batch);
  } while (cursor !== '0');
  if (keys.length === 0) return [];
  const pipeline = redis.pipeline();
  for (const key of keys) pipeline.hgetall(key).ttl(key);
  const replies = (await pipeline.exec()) ?? [];
  const workers: WorkerRecord[] = [];
  for (let i = 0; i < keys.length; i++) {
    const hash = replies[2 * i]?.[1] as Record<string, string> | undefined;
    const ttl = replies[2 * i + 1]?.[1] as number | undefined;
    // Expired or deleted between SCAN and HGETALL.
    if (!hash || !hash.role || !hash.id) continue;
    const { role: r, id, host = '', pid = '0', startedAt = '', lastBeatAt = '', ...info } = hash;
    workers.push({ role: r as WorkerRole, id, host, pid: Number(pid), startedAt, lastBeatAt, ttlSeconds: ttl ?? -2, info });
  }
  return workers.sort((a, b) => a.role.localeCompare(b.role) || a.id.localeCompare(b.id));
}
