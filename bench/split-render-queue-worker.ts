/**
 * A render worker of bench/split-render-queue.ts (not run by hand):
 * `workers/render.ts` as production runs it, same flags, over the bench's
 * compositions (bench/split-render-templates.ts: year-recap and the 30 s
 * `recap-30s`), so the queue path is measured on both.
 */
import { loadConfig } from '../src/config/index.js';
import { runCli } from '../src/errors/index.js';
import { parseRenderWorkerArgs } from '../workers/render-args.js';
import { runRenderWorker } from '../workers/render.js';
import { benchRegistry } from './split-render-templates.js';

const registry = await benchRegistry(loadConfig().cacheDir);
// Its operations port is a free one, whatever the environment says: the bench starts two beside whatever holds 9464.
process.exit(await runCli((argv) => runRenderWorker(parseRenderWorkerArgs(['--metrics-port', '0', ...argv]), { registry }), process.argv.slice(2)));
