import { mkdtemp, rm } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import type { Router } from 'express';
import { pino } from 'pino';
import { createApp, type ApiOptions } from '../../../src/api/index.js';
import { API_REDIS_OPTIONS } from '../../../src/api/main.js';
import { createOutputIndex, type OutputIndex, createRenderQueue, type RenderQueue } from '../../../src/renders/index.js';
import { createDefaultRegistry } from '../../../src/pipeline/index.js';
import { createFileStore, type ObjectStore } from '../../../src/storage/index.js';
import type { TemplateRegistry } from '../../../src/templates/index.js';
import { startTestRedis, type EmbeddedRedis } from '../../helpers/redis-server.js';

export const API_KEY = 'test-key-0123456789abcdef';

export interface ApiHarness {
  redis: EmbeddedRedis;
  renderQueue: RenderQueue;
  index: OutputIndex;
  store: ObjectStore;
  registry: TemplateRegistry;
  /** Temp dir holding the store root and the bundle cache. */
  dir: string;
  baseUrl: string;
  /** fetch against the app, with the API key unless `auth: false`. */
  call(pathname: string, init?: RequestInit & { auth?: boolean }): Promise<Response>;
  /** A request whose path is sent byte for byte (fetch would normalise `..` and `%2e%2e`). */
  raw(pathname: string, headers?: Record<string, string>): Promise<{ status: number; body: string }>;
  close(): Promise<void>;
}

/**
 * The API as `mastercut serve` wires it (same fail-fast Redis options), on a
 * private redis-server, a unique queue name, a file store and a bundle cache
 * in a temp dir, listening on a free port.
 */
export async function startApiHarness(
  options: ApiOptions & { campaignRouter?: Router; aof?: boolean } = {},
): Promise<ApiHarness> {
  const redis = await startTestRedis({ aof: options.aof });
  const dir = await mkdtemp(path.join(os.tmpdir(), 'mastercut-api-'));
  const renderQueue = createRenderQueue({
    redisUrl: redis.url,
    queueName: `render-api-${process.pid}-${Date.now()}`,
    redisOptions: API_REDIS_OPTIONS,
  });
  renderQueue.connection.on('error', () => undefined);
  await renderQueue.queue.waitUntilReady();
  const index = createOutputIndex(renderQueue.connection);
  const store = createFileStore({ root: path.join(dir, 'storage') });
  const registry = createDefaultRegistry({ cacheDir: path.join(dir, 'cache') });
  const app = createApp(
    {
      registry,
      renderQueue,
      index,
      store,
      redis: renderQueue.connection,
      apiKeys: ['another-key', API_KEY],
      logger: pino({ level: 'silent' }),
      campaignRouter: options.campaignRouter,
    },
    options,
  );
  const server = app.listen(0, '127.0.0.1');
  await new Promise<void>((resolve) => server.once('listening', resolve));
  const { port } = server.address() as AddressInfo;
  const baseUrl = `http://127.0.0.1:${port}`;

  return {
    redis,
    renderQueue,
    index,
    store,
    registry,
    dir,
    baseUrl,
    call(pathname, init = {}) {
      const { auth = true, ...rest } = init;
      const headers = new Headers(rest.headers);
      if (auth && !headers.has('authorization')) headers.set('authorization', `Bearer ${API_KEY}`);
      return fetch(`${baseUrl}${pathname}`, { ...rest, headers });
    },
    raw(pathname, headers = {}) {
      return new Promise((resolve, reject) => {
        const req = http.request(
          { host: '127.0.0.1', port, path: pathname, headers: { authorization: `Bearer ${API_KEY}`, ...headers } },
          (res) => {
            let body = '';
            res.setEncoding('utf8');
            res.on('data', (chunk: string) => (body += chunk));
            res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
          },
        );
        req.on('error', reject);
        req.end();
      });
    },
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await renderQueue.close();
      await redis.destroy();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
