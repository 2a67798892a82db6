import { readFile } from 'node:fs/promises';
import { descendants } from './process-memory.js';

/** A clock in ms: what a capture profile measures frames with (see createTreeCpuClock). */
export type FrameClock = () => Promise<number>;

/** /proc/<pid>/stat counts CPU time in clock ticks, USER_HZ: 100 on Linux. */
const MS_PER_TICK = 10;

/**
 * A clock that reads the CPU time (user + system, all threads) used so far by
 * `rootPid` and its descendants: this render worker, its Chromium processes
 * and its ffmpeg. A frame timed by it costs what the worker's processes
 * spent on it, not the time other processes on the same core took meanwhile:
 * a profile recorded on a busy machine then cuts the next split as one
 * recorded on a quiet one would (docs/capacity.md section 5). The tree is
 * read at the first tick and kept (the browsers and the encoder of a render
 * stay the same processes); without /proc the clock is wall time.
 */
export function createTreeCpuClock(rootPid: number = process.pid): FrameClock {
  let pids: Promise<number[]> | undefined;
  return async () => {
    const tree = await (pids ??= descendants(rootPid));
    if (tree.length === 0) return performance.now();
    const ticks = await Promise.all(tree.map(cpuTicks));
    return ticks.reduce((a, b) => a + b, 0) * MS_PER_TICK;
  };
}

async function cpuTicks(pid: number): Promise<number> {
  try {
    const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
    // utime, stime, cutime, cstime are fields 14-17; the command name (field 2) may hold spaces, so count
    // after its ')'. The children's part keeps an encoder that exited (reaped) in the sum, in its parent's.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return Number(fields[11]) + Number(fields[12]) + Number(fields[13]) + Number(fields[14]);
  } catch {
    // Exited: its time is gone from the sum, which at worst makes one frame read cheap.
    return 0;
  }
}
