import { constants } from 'node:fs';
import { access, open } from 'node:fs/promises';

/**
 * Debian's /usr/bin/chromium-headless-shell is a shell script that runs
 * /usr/lib/chromium/chromium-headless-shell without `exec`, so the pid we
 * launch is the shell's, not the browser's: killing or measuring it misses
 * the browser. Given such a launcher, returns the binary it starts;
 * otherwise returns the path unchanged.
 */
export async function unwrapLauncherScript(file: string): Promise<string> {
  let head = '';
  try {
    const handle = await open(file, 'r');
    try {
      const { buffer, bytesRead } = await handle.read(Buffer.alloc(4096), 0, 4096, 0);
      head = buffer.subarray(0, bytesRead).toString('utf8');
    } finally {
      await handle.close();
    }
  } catch {
    return file;
  }
  if (!head.startsWith('#!')) return file;
  for (const line of head.split('\n').slice(1)) {
    const candidate = /^\s*(?:exec\s+)?(\/[^\s"']*chrom[^\s"']*)/.exec(line)?.[1];
    if (!candidate || candidate === file) continue;
    try {
      await access(candidate, constants.X_OK);
      return candidate;
    } catch {
      /* not this line */
    }
  }
  return file;
}
