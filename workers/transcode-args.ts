/** The flags of the transcode worker process, and the options they map onto. */
import { parseArgs } from 'node:util';
import { usageError } from '../src/errors/index.js';
import { COMMON_OPTIONS, commonWorkerOptions, int, type CommonWorkerOptions } from './worker-args.js';

export interface TranscodeWorkerProcessOptions extends CommonWorkerOptions {
  /** Jobs at once on the GPU path (default TRANSCODE_GPU_CONCURRENCY). */
  gpuConcurrency?: number;
  /** Jobs at once on the CPU path (default TRANSCODE_CPU_CONCURRENCY). */
  cpuConcurrency?: number;
  /** auto | cpu | nvidia | vaapi (default TRANSCODE_ENCODERS). */
  encoders?: 'auto' | 'cpu' | 'nvidia' | 'vaapi';
}

/** Parses the flags of `mastercut worker transcode` (also those of `workers/transcode.ts` run directly). */
export function parseTranscodeWorkerArgs(args: string[]): TranscodeWorkerProcessOptions {
  const { values } = parseArgs({
    args,
    options: {
      ...COMMON_OPTIONS,
      'gpu-concurrency': { type: 'string' },
      'cpu-concurrency': { type: 'string' },
      encoders: { type: 'string' },
    },
  });
  const encoders = values.encoders;
  if (encoders !== undefined && !['auto', 'cpu', 'nvidia', 'vaapi'].includes(encoders)) {
    throw usageError('--encoders must be auto, cpu, nvidia or vaapi');
  }
  return {
    ...commonWorkerOptions(values),
    gpuConcurrency: int(values['gpu-concurrency'], '--gpu-concurrency', 0, 64),
    cpuConcurrency: int(values['cpu-concurrency'], '--cpu-concurrency', 0, 64),
    encoders: encoders as TranscodeWorkerProcessOptions['encoders'],
  };
}
