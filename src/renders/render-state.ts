import type { JobState } from 'bullmq';

/**
 * Where a render stands, as the API and CLI report it.
 * `queued` is what enqueueRender answers for an accepted job that has not
 * started; `waiting` is the same situation seen later through getRenderStatus.
 */
export type RenderState = 'done' | 'queued' | 'active' | 'waiting' | 'delayed' | 'failed';

/** Maps a BullMQ job state onto a RenderState (undefined: no such job any more). */
export function renderStateFromJob(state: JobState | 'unknown'): RenderState | undefined {
  switch (state) {
    case 'completed':
      return 'done';
    case 'failed':
      return 'failed';
    case 'active':
    // A split master parked on its chunks (docs/split-render.md): they are what renders it now.
    case 'waiting-children':
      return 'active';
    case 'delayed':
      return 'delayed';
    case 'waiting':
    case 'prioritized':
      return 'waiting';
    default:
      return undefined;
  }
}

/** Content type of a stored output, by format. */
export function contentTypeOf(format: string): string {
  const types: Record<string, string> = {
    mp4: 'video/mp4',
    webm: 'video/webm',
    gif: 'image/gif',
    jpg: 'image/jpeg',
    png: 'image/png',
    webp: 'image/webp',
  };
  return types[format] ?? 'application/octet-stream';
}
