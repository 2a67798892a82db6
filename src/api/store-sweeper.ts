import type { Logger } from 'pino';
import type { OutputIndex } from '../renders/index.js';
import type { FileStore, ObjectStore } from '../storage/index.js';

const KEY_IN_STORAGE_KEY = /^(?:renders|deliverables)\/([0-9a-f]{64})(?:[./]|$)/;

/**
 * Runs the file store's sweep (byte budget, output TTL, temp files of killed
 * writers) on a timer in the API process, and drops the index entry of
 * every output it removed, so the next request renders it again instead of
 * finding an index entry with no file. S3 stores have no sweep: a bucket
 * lifecycle rule expires objects there.
 */
export function startStoreSweeper(
  store: ObjectStore & { sweep?: FileStore['sweep'] },
  index: Pick<OutputIndex, 'delete'>,
  options: { intervalMs: number; logger: Logger },
): { stop(): void } {
  if (!store.sweep) return { stop: () => undefined };
  const sweep = store.sweep.bind(store);
  const run = async () => {
    try {
      const result = await sweep({
        onRemoved: (storageKey) => {
          const key = KEY_IN_STORAGE_KEY.exec(storageKey)?.[1];
          if (key) void index.delete(key).catch(() => undefined);
        },
      });
      if (result.expired + result.evicted + result.tempFilesRemoved > 0) options.logger.info(result, 'store swept');
    } catch (err) {
      options.logger.warn({ err: { message: (err as Error).message } }, 'store sweep failed');
    }
  };
  const timer = setInterval(() => void run(), options.intervalMs);
  timer.unref();
  return { stop: () => clearInterval(timer) };
}
