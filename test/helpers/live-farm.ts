import { createHash } from 'node:crypto';
import { readdir } from 'node:fs/promises';
import http from 'node:http';
import path from 'node:path';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { createOutputIndex, type OutputIndex } from '../../src/renders/index.js';
import { QUEUE_PREFIX, queueNames } from '../../src/queue/index.js';

/** One raw HTTP answer: status, headers and the whole body (or how it broke off). */
export interface RawResponse {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
  /** Set when the connection broke before the body ended (a cut stream). */
  aborted?: string;
}

export interface RawGetOptions {
  headers?: Record<string, string>;
  /** Source address: any 127.x.y.z is loopback on Linux, so each test client can be its own "IP". */
  localAddress?: string;
  method?: string;
  agent?: http.Agent;
}

/**
 * GET with the path sent exactly as written: fetch() normalises `..` and
 * percent escapes away, which would hide what a traversal attempt looks like
 * on the wire.
 */
export function rawGet(base: string, rawPath: string, options: RawGetOptions = {}): Promise<RawResponse> {
  const url = new URL(base);
  return new Promise((resolve, reject) => {
    const req = http.request(
      {
        host: url.hostname,
        port: url.port,
        path: rawPath,
        method: options.method ?? 'GET',
        headers: options.headers,
        agent: options.agent ?? false,
        ...(options.localAddress ? { localAddress: options.localAddress } : {}),
      },
      (res) => {
        const chunks: Buffer[] = [];
        const done = (aborted?: string) =>
          resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks), ...(aborted ? { aborted } : {}) });
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => (res.complete ? done() : done('incomplete')));
        res.on('error', (err) => done(err.message));
        res.on('aborted', () => done('aborted'));
      },
    );
    req.on('error', reject);
    req.end();
  });
}

export const sha256 = (data: Buffer | string) => createHash('sha256').update(data).digest('hex');

export interface CreatedLink {
  channel: string;
  url: string;
  assets: Record<'video' | 'poster' | 'preview' | 'still', string>;
}

/** `POST /v1/live-links` with the test farm's API key; throws on anything but 201. */
export async function createLiveLinks(apiUrl: string, body: Record<string, unknown>): Promise<CreatedLink[]> {
  const res = await fetch(`${apiUrl}/v1/live-links`, {
    method: 'POST',
    headers: { authorization: 'Bearer farm-key', 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  if (res.status !== 201) throw new Error(`POST /v1/live-links answered ${res.status}: ${await res.text()}`);
  return ((await res.json()) as { links: CreatedLink[] }).links;
}

/** The token of a link URL (`/l/<token>`). */
export const tokenOf = (linkUrl: string) => linkUrl.replace(/^.*\/l\//, '');

/**
 * A test's view of the farm's Redis: the render and transcode queues (job ids
 * are render/deliverable keys), the output index, and plain Redis access.
 */
export interface FarmProbe {
  redis: Redis;
  render: Queue;
  transcode: Queue;
  index: OutputIndex;
  /** Every render job in any state. */
  renderJobs(): Promise<{ id: string; state: string }[]>;
  /** Keys of every output index record. */
  indexKeys(): Promise<string[]>;
  close(): Promise<void>;
}

export function createFarmProbe(redisUrl: string): FarmProbe {
  const redis = new Redis(redisUrl, { maxRetriesPerRequest: null });
  const render = new Queue(queueNames.render, { connection: redis, prefix: QUEUE_PREFIX });
  const transcode = new Queue(queueNames.transcode, { connection: redis, prefix: QUEUE_PREFIX });
  const index = createOutputIndex(redis);
  return {
    redis,
    render,
    transcode,
    index,
    async renderJobs() {
      const jobs = await render.getJobs(['active', 'waiting', 'prioritized', 'delayed', 'completed', 'failed', 'waiting-children']);
      return Promise.all(jobs.filter((j) => j?.id).map(async (j) => ({ id: j.id!, state: await j.getState() })));
    },
    async indexKeys() {
      return (await redis.keys('{mastercut}:out:*')).map((k) => k.slice('{mastercut}:out:'.length));
    },
    async close() {
      await render.close();
      await transcode.close();
      redis.disconnect();
    },
  };
}

/** Every file under a folder, as paths relative to it (missing folder: none). */
export async function listFiles(root: string): Promise<string[]> {
  try {
    const entries = await readdir(root, { recursive: true, withFileTypes: true });
    return entries.filter((e) => e.isFile()).map((e) => path.relative(root, path.join(e.parentPath, e.name)));
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw err;
  }
}

/** Pino lines of a process's output whose msg is `msg` (and whose renderKey is `key`, when given). */
export function logLines(output: string, msg: string, key?: string): Record<string, unknown>[] {
  return output
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => {
      try {
        return JSON.parse(line) as Record<string, unknown>;
      } catch {
        return undefined;
      }
    })
    .filter((r): r is Record<string, unknown> => r !== undefined && r.msg === msg && (key === undefined || r.renderKey === key));
}

/** Polls until `check` returns a value other than undefined/false. */
export async function until<T>(check: () => Promise<T | undefined | false> | T | undefined | false, timeoutMs: number, what: string): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
