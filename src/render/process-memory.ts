import { readdir, readFile } from 'node:fs/promises';

/**
 * Memory of a process and all its descendants, in bytes (proportional set
 * size, falling back to resident size), read from /proc. A Chromium "browser" is a tree (browser, renderer, utility
 * processes), and the renderer is where a leaky template shows up.
 * Returns 0 where /proc is not available.
 */
export async function processTreeRss(rootPid: number): Promise<number> {
  let entries: string[];
  try {
    entries = (await readdir('/proc')).filter((name) => /^\d+$/.test(name));
  } catch {
    return 0;
  }
  const parents = new Map<number, number>();
  const rss = new Map<number, number>();
  await Promise.all(
    entries.map(async (name) => {
      const pid = Number(name);
      try {
        const status = await readFile(`/proc/${pid}/status`, 'utf8');
        const ppid = /^PPid:\s+(\d+)/m.exec(status);
        if (ppid) parents.set(pid, Number(ppid[1]));
        // PSS splits shared pages (Chromium's zygote, fonts) among the processes using them,
        // so summing it over the tree does not count them several times as RSS would.
        const rollup = await readFile(`/proc/${pid}/smaps_rollup`, 'utf8').catch(() => '');
        const pss = /^Pss:\s+(\d+) kB/m.exec(rollup) ?? /^VmRSS:\s+(\d+) kB/m.exec(status);
        if (pss) rss.set(pid, Number(pss[1]) * 1024);
      } catch {
        /* the process exited while we looked */
      }
    }),
  );
  let total = 0;
  for (const pid of rss.keys()) {
    let cursor: number | undefined = pid;
    // Walk up to the root; bounded because pid 1 has ppid 0.
    for (let depth = 0; cursor && depth < 64; depth++) {
      if (cursor === rootPid) {
        total += rss.get(pid) ?? 0;
        break;
      }
      cursor = parents.get(cursor);
    }
  }
  return total;
}
