/**
 * CPU pinning for bench/live.ts's second set of cold opens: the farm (API,
 * workers, redis and every process they started) on some CPUs, the measuring
 * browser on the others. In production the viewer's browser runs on the
 * viewer's device, not on the farm's cores; on this 2-core machine the shared
 * figure counts the cold render's CPU against the page. The pinned figure is
 * printed beside the shared one, never instead of it.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { descendants } from '../src/render/index.js';

const run = promisify(execFile);

/**
 * Sets the CPU affinity of `pids` and all their descendants, every thread
 * (`taskset -a`), to `cpus` (a taskset list, e.g. "1"); processes they start
 * later inherit it. A process that exited meanwhile is skipped.
 */
export async function pinProcessTrees(pids: number[], cpus: string): Promise<void> {
  const all = (await Promise.all(pids.map((pid) => descendants(pid)))).flat();
  await Promise.all(all.map((pid) => run('taskset', ['-a', '-p', '-c', cpus, String(pid)]).catch(() => undefined)));
}

/** Sets the CPU affinity of `pid` alone (every thread; not its children) to `cpus`. */
export async function pinProcess(pid: number, cpus: string): Promise<void> {
  await run('taskset', ['-a', '-p', '-c', cpus, String(pid)]);
}
