import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { repoRoot } from '../../helpers/render-engine.js';

// bin/mastercut starts every role under this flag; bench/fanout.ts measures RSS under it.
const script = path.join(repoRoot, 'bin/node-heap-flags');
const GiB = 1024 ** 3;

function flags(limit: string | undefined, nodeOptions = ''): string {
  const run = spawnSync(script, limit === undefined ? [] : [limit], { encoding: 'utf8', env: { ...process.env, NODE_OPTIONS: nodeOptions } });
  expect(run.status, run.stderr).toBe(0);
  return run.stdout.trim();
}

describe('bin/node-heap-flags', () => {
  it('caps the old space at 1 GiB without a memory limit, or above a 2 GiB one', () => {
    expect(flags('max')).toBe('--max-old-space-size=1024'); // cgroup v2, no limit
    expect(flags('9223372036854771712')).toBe('--max-old-space-size=1024'); // cgroup v1, no limit
    expect(flags(String(4 * GiB))).toBe('--max-old-space-size=1024');
  });

  it("leaves Node's own choice under a memory limit of 2 GiB or less (Node then sizes the old space at half of it)", () => {
    expect(flags(String(2 * GiB))).toBe('');
    expect(flags(String(GiB))).toBe('');
  });

  it('leaves a heap size named in NODE_OPTIONS alone', () => {
    expect(flags('max', '--max-old-space-size=300')).toBe('');
    expect(flags(undefined, '--enable-source-maps --max-old-space-size=2048')).toBe('');
  });

  it("starts bin/mastercut's node under the flag it prints", () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'mastercut-heap-'));
    try {
      // Preloaded through NODE_OPTIONS (which names no heap size): reports the heap limit node started with.
      const probe = path.join(dir, 'heap-limit.cjs');
      writeFileSync(probe, "process.stderr.write('heap-limit-mb ' + Math.round(require('node:v8').getHeapStatistics().heap_size_limit / 1048576) + '\\n');");
      const nodeOptions = `--require ${probe}`;
      const run = spawnSync(path.join(repoRoot, 'bin/mastercut'), ['--help'], { encoding: 'utf8', env: { ...process.env, NODE_OPTIONS: nodeOptions } });
      expect(run.status, run.stderr).toBe(0);
      const limit = Number(/heap-limit-mb (\d+)/.exec(run.stderr)?.[1]);
      if (flags(undefined, nodeOptions) === '--max-old-space-size=1024') {
        // 1024 MB of old space plus the young generation.
        expect(limit).toBeGreaterThanOrEqual(1024);
        expect(limit).toBeLessThan(1200);
      } else {
        expect(limit).toBeLessThanOrEqual(1100); // a memory limit of 2 GiB or less: Node's own choice
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
