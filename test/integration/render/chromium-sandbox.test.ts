import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { findChromium } from '../../../src/encode/index.js';
import { isAppError } from '../../../src/errors/index.js';
import { captureFlags, resolveChromiumSandbox } from '../../../src/render/index.js';

const root = path.resolve(import.meta.dirname, '../../..');
const asRoot = process.getuid?.() === 0;

describe('Chromium sandbox (RENDER_CHROMIUM_SANDBOX)', () => {
  it('passes --no-sandbox only when the sandbox is off', () => {
    expect(captureFlags({ width: 10, height: 10 })).toContain('--no-sandbox');
    expect(captureFlags({ width: 10, height: 10, sandbox: true })).not.toContain('--no-sandbox');
  });

  it('off is off; auto without user namespaces falls back with a reason', async () => {
    expect((await resolveChromiumSandbox('off')).enabled).toBe(false);
    if (asRoot) return;
    const decision = await resolveChromiumSandbox('auto', async () => false);
    expect(decision).toEqual({ enabled: false, reason: expect.stringContaining('user namespaces') });
  });

  it.runIf(asRoot)('as root: auto turns it off and says why, on is refused with what to do', async () => {
    const decision = await resolveChromiumSandbox('auto', async () => true);
    expect(decision.enabled).toBe(false);
    expect(decision.reason).toMatch(/root/);
    const refused = await resolveChromiumSandbox('on').catch((err: unknown) => err);
    expect(isAppError(refused, 'CONFIG_INVALID')).toBe(true);
    expect((refused as Error).message).toMatch(/non-root/);
  });

  // The render worker image runs as a non-root user: there auto must really start Chromium sandboxed.
  it.runIf(asRoot)('as a non-root user with user namespaces, auto starts a sandboxed Chromium that works', async () => {
    const userns = spawnSync('unshare', ['--user', '--map-root-user', 'true'], { uid: 65534, gid: 65534 });
    if (userns.status !== 0) return; // this kernel forbids them: the fallback is tested above
    const chromium = await findChromium({});
    const run = spawnSync(
      process.execPath,
      ['--import', `file://${root}/node_modules/tsx/dist/loader.mjs`, path.join(root, 'test/fixtures/scripts/sandbox-probe.ts'), chromium.path],
      { uid: 65534, gid: 65534, cwd: '/tmp', env: { PATH: process.env.PATH, HOME: '/tmp' }, encoding: 'utf8', timeout: 60_000 },
    );
    expect(run.status, run.stderr).toBe(0);
    const result = JSON.parse(run.stdout.trim().split('\n').pop()!);
    expect(result).toMatchObject({ enabled: true, answer: 42, noSandboxFlag: false, uid: 65534 });
  });
});
