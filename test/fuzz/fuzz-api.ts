import { mkdtemp, rm } from 'node:fs/promises';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { Readable, Writable } from 'node:stream';
import { Redis } from 'ioredis';
import { pino } from 'pino';
import { startApiServer, type ApiServer } from '../../src/api/main.js';
import { createOutputIndex } from '../../src/renders/index.js';
import { loadConfig } from '../../src/config/index.js';
import { createFileStore } from '../../src/storage/index.js';
import { startTestRedis, type EmbeddedRedis } from '../helpers/redis-server.js';
import { TEST_LIVE_KEYS } from '../helpers/worker-process.js';

export const FUZZ_API_KEY = 'fuzz-api-key-0123456789';

/** One raw answer. */
export interface FuzzAnswer {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
}

export interface FuzzApi {
  url: string;
  api: ApiServer;
  redis: Redis;
  /** Every line the API logged so far. */
  lines: string[];
  /** Strings that must never reach a log line: the API key, tokens, recipient ids, props values. */
  secrets: Set<string>;
  /** Unhandled rejections seen while the API ran. */
  rejections: unknown[];
  /** A request sent byte for byte: method, raw path, headers, body. */
  send(method: string, rawPath: string, headers?: Record<string, string>, body?: Buffer | string): Promise<FuzzAnswer>;
  /** A stored output (a fake MP4) under this key, as a worker would publish it. */
  putOutput(key: string, bytes: Buffer): Promise<void>;
  close(): Promise<void>;
}

/**
 * The API exactly as `mastercut serve` wires it (startApiServer, fast path
 * on), on a private redis-server, with every log line captured, for the
 * fuzz properties: no 5xx, no unhandled rejection, no secret in a log line.
 */
export async function startFuzzApi(): Promise<FuzzApi> {
  const server: EmbeddedRedis = await startTestRedis();
  const dir = await mkdtemp(path.join(os.tmpdir(), 'mastercut-fuzz-'));
  const storeRoot = path.join(dir, 'storage');
  const config = loadConfig({
    NODE_ENV: 'test',
    LOG_LEVEL: 'debug',
    REDIS_URL: server.url,
    API_KEYS: FUZZ_API_KEY,
    ADMIN_API_KEYS: `${FUZZ_API_KEY}-admin`,
    STORAGE_ROOT: storeRoot,
    MASTERCUT_CACHE_DIR: '.cache/test',
    LIVE_KEYS: TEST_LIVE_KEYS,
    DASHBOARD_SESSION_SECRET: 'fuzz-dashboard-session-secret-0123456789',
    // Fuzzing is many requests from one address: rate limits would turn most answers into 429s.
    EVENTS_RATE_LIMIT_PER_MIN: '1000000',
    COLD_RENDER_LIMIT_PER_CLIENT: '1000000',
    COLD_RENDER_LIMIT_PER_LINK: '1000000',
    LIVE_WAIT_TIMEOUT_MS: '1000',
  });
  const lines: string[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      lines.push(...chunk.toString().split('\n').filter(Boolean));
      callback();
    },
  });
  const rejections: unknown[] = [];
  const onRejection = (reason: unknown) => rejections.push(reason);
  process.on('unhandledRejection', onRejection);
  const api = await startApiServer(config, { port: 0, host: '127.0.0.1', logger: pino({ level: 'debug' }, sink) });
  const redis = new Redis(server.url, { maxRetriesPerRequest: null });
  const index = createOutputIndex(redis);
  const store = createFileStore({ root: storeRoot });
  const agent = new http.Agent({ keepAlive: true, maxSockets: 4 });
  const url = new URL(api.url);

  return {
    url: api.url,
    api,
    redis,
    lines,
    secrets: new Set([FUZZ_API_KEY, `${FUZZ_API_KEY}-admin`]),
    rejections,
    send(method, rawPath, headers = {}, body) {
      return new Promise((resolve, reject) => {
        const payload = body === undefined ? undefined : Buffer.isBuffer(body) ? body : Buffer.from(body);
        const req = http.request(
          {
            host: url.hostname,
            port: url.port,
            path: rawPath,
            method,
            agent,
            headers: { ...(payload ? { 'content-length': String(payload.length) } : {}), ...headers },
          },
          (res) => {
            const chunks: Buffer[] = [];
            res.on('data', (chunk: Buffer) => chunks.push(chunk));
            res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
            res.on('error', reject);
          },
        );
        req.on('error', reject);
        req.end(payload);
      });
    },
    async putOutput(key, bytes) {
      const storageKey = `renders/${key}.mp4`;
      const info = await store.put(storageKey, Readable.from([bytes]), { contentType: 'video/mp4' });
      await index.set({ key, state: 'done', storageKey, size: info.size, contentType: 'video/mp4', templateId: 'reference', updatedAt: Date.now() });
    },
    async close() {
      agent.destroy();
      redis.disconnect();
      await api.close();
      process.off('unhandledRejection', onRejection);
      await server.destroy();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/**
 * What of the secrets reached a log line. Personal values made by the fuzz
 * cases all carry a marker (`pii...qz`) and tokens have their own shape, so
 * one pass of a few patterns finds any of them (tens of thousands of
 * secrets times megabytes of log would not finish); the rest of the set
 * (keys, webhook secrets) is searched one by one.
 */
export function leakedSecrets(api: FuzzApi): string[] {
  const text = api.lines.join('\n');
  const shapes = [/pii[a-z]+qz/g, /v1\.[A-Za-z0-9_-]{1,16}\.[A-Za-z0-9_-]{16,}/g, /whsec_[A-Za-z0-9+/=]+/g];
  const found = shapes.flatMap((shape) => text.match(shape) ?? []);
  const others = [...api.secrets].filter((s) => s.length >= 6 && !shapes.some((shape) => new RegExp(`^${shape.source}$`).test(s)) && text.includes(s));
  return [...new Set([...found, ...others])];
}
