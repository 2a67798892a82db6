import { readdir, readFile } from 'node:fs/promises';

/**
 * CPU seconds used so far by `pid` and every process below it (Chromium's
 * processes, ffmpeg): user + system of each live one, plus what each has
 * reaped (an ffmpeg run that ended counts in its parent's). On a pinned core
 * that is the wall time the work would take with the core to itself, which
 * other jobs on a shared machine do not change.
 */
export async function treeCpuSeconds(pid: number): Promise<number> {
  const stats = new Map<number, { ppid: number; cpu: number }>();
  for (const entry of await readdir('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const text = await readFile(`/proc/${entry}/stat`, 'utf8').catch(() => '');
    if (!text) continue;
    const f = text.slice(text.lastIndexOf(')') + 2).split(' ');
    stats.set(Number(entry), { ppid: Number(f[1]), cpu: (Number(f[11]) + Number(f[12]) + Number(f[13]) + Number(f[14])) / 100 });
  }
  let total = 0;
  const queue = [pid];
  while (queue.length > 0) {
    const p = queue.pop()!;
    total += stats.get(p)?.cpu ?? 0;
    for (const [child, s] of stats) if (s.ppid === p) queue.push(child);
  }
  return total;
}

/** Runs `work` and returns the CPU seconds each of `pids` used meanwhile. */
export async function cpuDuring<T>(pids: number[], work: () => Promise<T>): Promise<{ value: T; cpu: number[] }> {
  const before = await Promise.all(pids.map(treeCpuSeconds));
  const value = await work();
  const after = await Promise.all(pids.map(treeCpuSeconds));
  return { value, cpu: after.map((a, i) => a - before[i]!) };
}
