import { openQueue, type QueueHandle, type QueueHandleOptions } from '../queue/index.js';
import type { RenderJobData } from './render-job.schema.js';

export type RenderQueueOptions = QueueHandleOptions;
/** A producer-side handle on the render queue (or, with `D`, another of the farm's queues). */
export type RenderQueue<D = RenderJobData> = QueueHandle<D>;

/** Opens the render queue (or, with `queueName` and `D`, another such as `transcode`) for producers. */
export function createRenderQueue<D = RenderJobData>(options: RenderQueueOptions): RenderQueue<D> {
  return openQueue<D>(options);
}
