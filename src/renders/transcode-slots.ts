import { CPU_CAPS, usesGpu, type EncoderCaps } from '../encode/index.js';

export interface TranscodeSlotsOptions {
  /** What this worker detected (or was forced to use). */
  caps: EncoderCaps;
  /** Jobs at once on the GPU path. Ignored (0) when caps are CPU only. */
  gpu: number;
  /** Jobs at once on the CPU path. */
  cpu: number;
  /** NVENC sessions the card allows at once (consumer cards cap them); caps `gpu` when set. */
  nvencSessions?: number;
}

export interface TranscodeSlot {
  /** The pipeline this job runs: the GPU caps, or CPU_CAPS. */
  caps: EncoderCaps;
  release(): void;
}

export interface TranscodeSlots {
  /** How many jobs the worker may run at once: GPU slots + CPU slots. */
  readonly concurrency: number;
  readonly gpuSlots: number;
  /** A free slot, the GPU first. The worker's concurrency is the slot total, so one is always free. */
  acquire(): TranscodeSlot;
}

/**
 * GPU and CPU work have separate budgets: a GPU box runs a few NVENC jobs
 * (bounded by the card's session limit) plus CPU jobs on its cores, and a
 * job takes whichever is free, the GPU first.
 */
export function createTranscodeSlots(options: TranscodeSlotsOptions): TranscodeSlots {
  const nvenc = options.caps.h264 === 'h264_nvenc' && options.nvencSessions !== undefined ? options.nvencSessions : Infinity;
  const gpuSlots = usesGpu(options.caps) ? Math.max(0, Math.min(options.gpu, nvenc)) : 0;
  const cpuSlots = Math.max(gpuSlots > 0 ? 0 : 1, options.cpu);
  let gpuBusy = 0;
  let cpuBusy = 0;
  return {
    concurrency: gpuSlots + cpuSlots,
    gpuSlots,
    acquire() {
      if (gpuBusy < gpuSlots) {
        gpuBusy++;
        return { caps: options.caps, release: once(() => gpuBusy--) };
      }
      // Over the total only if the worker's concurrency was set wrong; the CPU absorbs it.
      cpuBusy++;
      return { caps: CPU_CAPS, release: once(() => cpuBusy--) };
    },
  };
}

function once(fn: () => void): () => void {
  let done = false;
  return () => {
    if (!done) fn();
    done = true;
  };
}
