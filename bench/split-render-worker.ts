/**
 * One render worker of bench/split-render.ts (not run by hand): a render
 * engine with one browser over the bench's compositions, rendering what its
 * parent sends over IPC (`{ id, request }`, a RenderRequest without
 * callbacks) and answering `{ id, result }` or `{ id, error }`. The parent
 * starts it under `taskset`, so it and its Chromium and ffmpeg children run
 * on one core.
 */
import { createRenderEngine } from '../src/pipeline/index.js';
import { loadConfig } from '../src/config/index.js';
import type { RenderRequest } from '../src/pipeline/index.js';
import { benchRegistry } from './split-render-templates.js';

const config = loadConfig(process.env);
const engine = await createRenderEngine(config, { poolSize: 1, registry: await benchRegistry(config.cacheDir) });

process.on('message', (message: { id: number; request: RenderRequest } | { stop: true }) => {
  if ('stop' in message) {
    void engine.close().finally(() => process.exit(0));
    return;
  }
  engine.renderVideo(message.request).then(
    (result) => process.send!({ id: message.id, result }),
    (error: unknown) => process.send!({ id: message.id, error: String(error) }),
  );
});
process.send!({ ready: true });
