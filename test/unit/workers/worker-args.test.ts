import { describe, expect, it } from 'vitest';
import { isAppError } from '../../../src/errors/index.js';
import { parseRenderWorkerArgs } from '../../../workers/render-args.js';
import { parseTranscodeWorkerArgs } from '../../../workers/transcode-args.js';
import { parseWebhookWorkerArgs } from '../../../workers/webhooks-args.js';

function usageErrorOf(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    if (isAppError(err) && err.code === 'INVALID_ARGUMENT') return err.message;
    throw err;
  }
  throw new Error('no usage error');
}

describe('worker flags (each worker parses its own; `mastercut worker <role>` reuses them)', () => {
  it('maps the shared flags onto the options every worker takes', () => {
    const options = parseRenderWorkerArgs([
      '--concurrency', '2', '--grace-ms', '1000', '--eviction-check', 'warn', '--lock-duration-ms', '5000',
      '--stalled-interval-ms', '1000', '--work-dir', '/tmp/w', '--queue', 'q', '--keep-completed-s', '60',
      '--keep-completed-count', '500', '--keep-failed-s', '120', '--metrics-port', '0',
    ]);
    expect(options).toEqual({
      concurrency: 2,
      graceMs: 1000,
      evictionCheck: 'warn',
      lockDurationMs: 5000,
      stalledIntervalMs: 1000,
      workDir: '/tmp/w',
      queueName: 'q',
      metricsPort: 0,
      jobOptions: { completedRetentionSeconds: 60, completedRetentionCount: 500, failedRetentionSeconds: 120 },
    });
  });

  it('leaves unset flags unset, so the config decides', () => {
    const options = parseWebhookWorkerArgs([]);
    expect(options.concurrency).toBeUndefined();
    expect(options.graceMs).toBeUndefined();
    expect(options.evictionCheck).toBeUndefined();
  });

  it('reads the transcode worker flags and refuses an unknown encoder family', () => {
    expect(parseTranscodeWorkerArgs(['--gpu-concurrency', '3', '--cpu-concurrency', '0', '--encoders', 'nvidia'])).toMatchObject({
      gpuConcurrency: 3,
      cpuConcurrency: 0,
      encoders: 'nvidia',
    });
    expect(usageErrorOf(() => parseTranscodeWorkerArgs(['--encoders', 'quantum']))).toMatch(/--encoders/);
  });

  it('refuses out-of-range numbers and unknown modes with a usage error', () => {
    expect(usageErrorOf(() => parseRenderWorkerArgs(['--concurrency', '0']))).toMatch(/--concurrency must be an integer from 1 to 64/);
    expect(usageErrorOf(() => parseWebhookWorkerArgs(['--concurrency', '1.5']))).toMatch(/--concurrency/);
    expect(usageErrorOf(() => parseRenderWorkerArgs(['--eviction-check', 'maybe']))).toMatch(/--eviction-check must be warn or refuse/);
  });
});
