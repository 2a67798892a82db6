import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Config } from '../config/index.js';
import { AppError } from '../errors/index.js';
import type { RenderVideo } from '../pipeline/index.js';
import { buildBrowserScript, type TemplateRegistry } from '../templates/index.js';
import { createStudioApp } from './create-studio-app.js';
import { createStudioEvents } from './studio-events.js';
import { createStudioRegistry } from './studio-registry.js';
import { createStudioRenders } from './studio-renders.js';
import { watchCompositions } from './watch-compositions.js';

const CLIENT_ENTRY = path.join(path.dirname(fileURLToPath(import.meta.url)), 'client/main.ts');

export interface StudioOptions {
  config: Readonly<Config>;
  /** Folder of the templates (`index.ts` exporting `templates`). */
  compositionsDir: string;
  /** Builds the render engine over the studio's registry (the CLI passes createRenderEngine). */
  createEngine: (registry: TemplateRegistry) => Promise<{ renderVideo: RenderVideo; close(): Promise<void> }>;
  /** Default 127.0.0.1: the studio has no authentication. */
  host?: string;
  /** 0 picks a free port. */
  port: number;
  /** Told about reloads and failed builds (the CLI prints them). */
  log?: (line: string) => void;
}

export interface Studio {
  url: string;
  server: Server;
  close(): Promise<void>;
}

/**
 * Starts the studio: loads the templates and watches them (esbuild), makes
 * the render engine over them, serves the page and its API, and tells open
 * pages to reload after every save that builds.
 */
export async function startStudio(options: StudioOptions): Promise<Studio> {
  const log = options.log ?? (() => undefined);
  const events = createStudioEvents();
  let studioRegistry: ReturnType<typeof createStudioRegistry> | undefined;
  const watcher = await watchCompositions({
    compositionsDir: options.compositionsDir,
    onReload: (templates) => {
      studioRegistry?.replace(templates);
      log(`templates reloaded (${templates.map((t) => t.id).join(', ')})`);
      events.send({ type: 'reload', at: Date.now() });
    },
    onError: (message) => {
      log(`templates did not build:\n${message}`);
      events.send({ type: 'build-error', message });
    },
  });
  studioRegistry = createStudioRegistry({ templates: watcher.templates(), compositionsDir: options.compositionsDir, cacheDir: options.config.cacheDir });
  const engine = await options.createEngine(studioRegistry.registry);
  let client: Promise<string> | undefined;
  const host = options.host ?? '127.0.0.1';
  const app = createStudioApp({
    loopbackOnly: ['127.0.0.1', 'localhost', '::1'].includes(host),
    registry: studioRegistry.registry,
    compositionsDir: options.compositionsDir,
    cacheDir: options.config.cacheDir,
    renders: createStudioRenders({ renderVideo: engine.renderVideo, outDir: options.config.outDir }),
    events,
    client: () => (client ??= buildBrowserScript(CLIENT_ENTRY, 'the studio page').catch((err: unknown) => {
      client = undefined;
      throw err;
    })),
    farm: options.config.studio.farmUrl && options.config.studio.farmApiKey ? { url: options.config.studio.farmUrl, apiKey: options.config.studio.farmApiKey } : undefined,
  });

  const server = createServer(app);
  server.listen(options.port, host);
  try {
    await Promise.race([once(server, 'listening'), once(server, 'error').then(([err]) => Promise.reject(err))]);
  } catch (err) {
    await Promise.all([watcher.close(), engine.close()]);
    throw new AppError('INVALID_ARGUMENT', `the studio could not listen on ${host}:${options.port}: ${(err as Error).message}`, { cause: err });
  }
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://${host.includes(':') ? `[${host}]` : host}:${port}/`,
    server,
    async close() {
      events.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await Promise.all([watcher.close(), engine.close()]);
    },
  };
}
