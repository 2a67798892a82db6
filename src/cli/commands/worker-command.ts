import { parseRenderWorkerArgs } from '../../../workers/render-args.js';
import { parseTranscodeWorkerArgs } from '../../../workers/transcode-args.js';
import { parseWebhookWorkerArgs } from '../../../workers/webhooks-args.js';
import { usageOf } from '../command-help.js';
import { usageError } from '../../errors/index.js';

const usage = usageOf('worker');

/** `mastercut worker <kind>`: starts a worker process (render, transcode or webhooks). */
export async function workerCommand(argv: string[]): Promise<number> {
  const [kind, ...rest] = argv;
  if (kind === 'webhooks') {
    const options = parseWebhookWorkerArgs(rest);
    const { runWebhookWorker } = await import('../../../workers/webhooks.js');
    return runWebhookWorker(options);
  }
  if (kind === 'transcode') {
    const options = parseTranscodeWorkerArgs(rest);
    const { runTranscodeWorker } = await import('../../../workers/transcode.js');
    return runTranscodeWorker(options);
  }
  if (kind !== 'render') throw usageError(`${kind ? `unknown worker "${kind}"` : 'missing worker kind'}\n${usage}`);
  const options = parseRenderWorkerArgs(rest);
  // Loaded lazily: the worker pulls in the renderer, which `--help` does not need.
  const { runRenderWorker } = await import('../../../workers/render.js');
  return runRenderWorker(options);
}
