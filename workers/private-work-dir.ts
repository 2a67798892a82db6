import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

/**
 * A work dir of this process only, below `base` (default <tmp>/mastercut-work):
 * several workers may share a machine, and a clean stop removes it, so no
 * temp render or transcode is left behind.
 */
export async function createPrivateWorkDir(base: string | undefined, prefix: string): Promise<{ dir: string; remove(): Promise<void> }> {
  const root = base ?? path.join(os.tmpdir(), 'mastercut-work');
  await mkdir(root, { recursive: true });
  const dir = await mkdtemp(path.join(root, `${prefix}${process.pid}-`));
  return { dir, remove: () => rm(dir, { recursive: true, force: true }) };
}
