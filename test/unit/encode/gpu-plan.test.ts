import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const repo = path.resolve(import.meta.dirname, '../../..');
const run = promisify(execFile);

// bench/gpu-check.sh runs the committed plan on GPU machines without Node: it must be the builders' current output.
describe('bench/gpu-plan.generated.sh', () => {
  it('is what bench/gpu-plan.ts prints now (else run: npx tsx bench/gpu-plan.ts > bench/gpu-plan.generated.sh)', async () => {
    const { stdout } = await run(path.join(repo, 'node_modules/.bin/tsx'), ['bench/gpu-plan.ts'], { cwd: repo });
    const committed = await readFile(path.join(repo, 'bench/gpu-plan.generated.sh'), 'utf8');
    expect(stdout).toBe(committed);
    // Every pipeline the check script may pick has its runs, and the probes are there.
    for (const fn of ['plan_runs_cpu()', 'plan_runs_nvidia()', 'plan_runs_nvidia_decode()', 'plan_runs_vaapi()', 'plan_probe_nvdec()', 'plan_checks()']) {
      expect(committed).toContain(fn);
    }
    await run('bash', ['-n', path.join(repo, 'bench/gpu-plan.generated.sh')]);
  });
});
