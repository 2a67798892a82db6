import { readdir, readFile } from 'node:fs/promises';

/**
 * Memory of a process and all its descendants, in bytes (proportional set
 * size, falling back to resident size), read from /proc. A Chromium
 * "browser" is a tree (browser, renderer, utility processes), and the
 * renderer is where a leaky template shows up. PSS splits shared pages
 * (Chromium's zygote, fonts) among the processes using them, so summing it
 * over the tree does not count them several times as RSS would.
 * Returns 0 where /proc is not available.
 */
export async function processTreeRss(rootPid: number): Promise<number> {
  const tree = await descendants(rootPid);
  const sizes = await Promise.all(tree.map(processMemory));
  return sizes.reduce((sum, size) => sum + size, 0);
}

/** The pid and every descendant, from the parent links in /proc/<pid>/stat ([] without /proc). */
export async function descendants(rootPid: number): Promise<number[]> {
  let names: string[];
  try {
    names = (await readdir('/proc')).filter((name) => /^\d+$/.test(name));
  } catch {
    return [];
  }
  const children = new Map<number, number[]>();
  await Promise.all(
    names.map(async (name) => {
      try {
        const stat = await readFile(`/proc/${name}/stat`, 'utf8');
        // Field 4 is the parent pid; the command name (field 2) may hold spaces, so parse after its ')'.
        const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
        const list = children.get(ppid) ?? [];
        list.push(Number(name));
        children.set(ppid, list);
      } catch {
        /* exited while we looked */
      }
    }),
  );
  const tree: number[] = [];
  for (const queue = [rootPid]; queue.length > 0; ) {
    const pid = queue.pop()!;
    tree.push(pid);
    queue.push(...(children.get(pid) ?? []));
  }
  return tree;
}

async function processMemory(pid: number): Promise<number> {
  try {
    const rollup = await readFile(`/proc/${pid}/smaps_rollup`, 'utf8').catch(() => readFile(`/proc/${pid}/status`, 'utf8'));
    const kb = /^(?:Pss|VmRSS):\s+(\d+) kB/m.exec(rollup);
    return kb ? Number(kb[1]) * 1024 : 0;
  } catch {
    return 0;
  }
}
