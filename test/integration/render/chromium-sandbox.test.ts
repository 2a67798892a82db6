import { spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { findChromium } from '../../../src/encode/index.js';
import { isAppError } from '../../../src/errors/index.js';
import { captureFlags, resolveChromiumSandbox } from '../../../src/render/index.js';

const root = path.resolve(import.meta.dirname, '../../..');
const asRoot = process.getuid?.() === 0;
const work = mkdtempSync(path.join(os.tmpdir(), 'mastercut-sandbox-test-'));
chmodSync(work, 0o755);
afterAll(() => rmSync(work, { recursive: true, force: true }));

/** Runs test/fixtures/scripts/sandbox-probe.ts as uid 65534 with `chromiumPath`; its JSON line, or the failure. */
function probeAsNobody(chromiumPath: string) {
  const run = spawnSync(
    process.execPath,
    ['--import', `file://${root}/node_modules/tsx/dist/loader.mjs`, path.join(root, 'test/fixtures/scripts/sandbox-probe.ts'), chromiumPath],
    { uid: 65534, gid: 65534, cwd: '/tmp', env: { PATH: process.env.PATH, HOME: '/tmp' }, encoding: 'utf8', timeout: 90_000 },
  );
  expect(run.status, run.stderr).toBe(0);
  return JSON.parse(run.stdout.trim().split('\n').pop()!) as Record<string, unknown>;
}

const userNamespaces = () => spawnSync('unshare', ['--user', '--map-root-user', 'true'], { uid: 65534, gid: 65534 }).status === 0;

describe('Chromium sandbox (RENDER_CHROMIUM_SANDBOX)', () => {
  it('passes --no-sandbox only when the sandbox is off', () => {
    expect(captureFlags({ width: 10, height: 10 })).toContain('--no-sandbox');
    expect(captureFlags({ width: 10, height: 10, sandbox: true })).not.toContain('--no-sandbox');
  });

  it('off is off without a trial launch', async () => {
    const decision = await resolveChromiumSandbox('off', { chromiumPath: '/nope', probe: () => Promise.reject(new Error('must not probe')) });
    expect(decision).toEqual({ enabled: false, reason: 'RENDER_CHROMIUM_SANDBOX=off' });
  });

  it.runIf(!asRoot)('auto falls back with the trial launch\'s reason; on refuses to start with it', async () => {
    const probe = async () => ({ ok: false as const, reason: 'Check failed: sys_chroot("/proc/self/fdinfo/") == 0' });
    expect(await resolveChromiumSandbox('auto', { chromiumPath: 'x', probe })).toEqual({ enabled: false, reason: expect.stringContaining('sys_chroot') });
    const refused = await resolveChromiumSandbox('on', { chromiumPath: 'x', probe }).catch((err: unknown) => err);
    expect(isAppError(refused, 'CONFIG_INVALID')).toBe(true);
    expect((refused as Error).message).toContain('sys_chroot');
  });

  it.runIf(asRoot)('as root: auto turns it off and says why, on is refused with what to do', async () => {
    const decision = await resolveChromiumSandbox('auto', { chromiumPath: 'x', probe: async () => ({ ok: true }) });
    expect(decision.enabled).toBe(false);
    expect(decision.reason).toMatch(/root/);
    const refused = await resolveChromiumSandbox('on', { chromiumPath: 'x' }).catch((err: unknown) => err);
    expect(isAppError(refused, 'CONFIG_INVALID')).toBe(true);
    expect((refused as Error).message).toMatch(/non-root/);
  });

  // The render worker image runs as a non-root user: there auto must really start Chromium sandboxed.
  it.runIf(asRoot && userNamespaces())('as a non-root user with user namespaces, auto starts a sandboxed Chromium that works', async () => {
    const chromium = await findChromium({});
    expect(probeAsNobody(chromium.path)).toMatchObject({ enabled: true, answer: 42, noSandboxFlag: false, uid: 65534 });
  });

  // A container that allows user namespaces but not chroot (all capabilities dropped: the
  // seccomp profile then refuses chroot) kills Chromium's zygote. Here a wrapper refuses the
  // same way whenever the sandbox is on; the trial launch must see it, and auto fall back.
  it.runIf(asRoot && userNamespaces())('as a non-root user where the zygote cannot chroot, auto falls back to --no-sandbox with Chromium\'s reason', async () => {
    const chromium = await findChromium({});
    const wrapper = path.join(work, 'chromium-without-chroot');
    writeFileSync(
      wrapper,
      `#!/bin/sh\ncase " $* " in *" --no-sandbox "*) exec ${chromium.path} "$@" ;; esac\n` +
        `echo '[1206/030527.771829:FATAL:sandbox/linux/services/credentials.cc:133] Check failed: sys_chroot("/proc/self/fdinfo/") == 0' >&2\nkill -TRAP $$\n`,
    );
    chmodSync(wrapper, 0o755);
    const result = probeAsNobody(wrapper);
    expect(result).toMatchObject({ enabled: false, answer: 42, noSandboxFlag: true, uid: 65534 });
    expect(result.reason).toContain('Check failed: sys_chroot("/proc/self/fdinfo/") == 0');
  });
});
