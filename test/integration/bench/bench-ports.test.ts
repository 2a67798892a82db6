import { readdirSync, readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBenchFarm } from '../../../bench/live-farm.js';
import { repoRoot } from '../../helpers/render-engine.js';

// Benches start on a machine where the default operations port (9464) is
// already taken (a farm, another bench, a test): every process they start
// takes a free operations port instead.

let holder: Server | undefined;
beforeAll(async () => {
  // Take 9464 for the length of this file; if something else holds it, it is taken all the same.
  holder = createServer();
  await new Promise<void>((resolve) => {
    holder!.once('error', () => resolve());
    holder!.listen(9464, '0.0.0.0', resolve);
  });
});
afterAll(() => holder?.close());

/** Where benches start the farm's process roles: entry points and the CLI's serve/worker. */
const ROLE_START = /src\/api\/main\.ts|workers\/(render|transcode|webhooks)\.ts|\['(serve|worker)'/;

describe('benches and port 9464', () => {
  it('bench/live.ts starts its farm (API, render and transcode worker) while 9464 is taken', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'mastercut-bench-ports-'));
    try {
      const farm = await startBenchFarm(dir);
      try {
        expect((await fetch(`${farm.api.url}/healthz`)).status).toBe(200);
      } finally {
        await farm.stop();
      }
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }, 240_000);

  it('every bench that starts a process role gives it a free operations port', () => {
    const starters = readdirSync(path.join(repoRoot, 'bench'))
      .filter((f) => f.endsWith('.ts'))
      .filter((f) => ROLE_START.test(readFileSync(path.join(repoRoot, 'bench', f), 'utf8')));
    expect(starters).toContain('live-farm.ts');
    for (const file of starters) {
      expect(readFileSync(path.join(repoRoot, 'bench', file), 'utf8'), file).toMatch(/METRICS_PORT: '0'|'--metrics-port', '0'/);
    }
  });
});
