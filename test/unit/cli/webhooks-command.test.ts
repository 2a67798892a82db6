import { spawnSync } from 'node:child_process';
import { mkdtemp, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { webhooksCommand } from '../../../src/cli/commands/webhooks-command.js';
import { runCli } from '../../../src/errors/index.js';
import { computeWebhookSignature, generateWebhookSecret } from '../../../src/engagement/webhooks/index.js';

const root = path.resolve(import.meta.dirname, '../../..');

/** Runs the real CLI entry point (`mastercut webhooks ...`) in a child process. */
function spawnCli(...args: string[]) {
  const run = spawnSync(process.execPath, ['--import', 'tsx', path.join(root, 'src/cli/main.ts'), 'webhooks', ...args], { encoding: 'utf8', cwd: root });
  return { code: run.status, out: run.stdout + run.stderr };
}

/** The same command in this process, with the CLI's error contract (faster than a spawn each time). */
async function cli(...args: string[]) {
  let out = '';
  const write = (chunk: string | Uint8Array) => ((out += String(chunk)), true);
  const stdout = vi.spyOn(process.stdout, 'write').mockImplementation(write);
  const stderr = vi.spyOn(process.stderr, 'write').mockImplementation(write);
  try {
    const code = await runCli(webhooksCommand, args);
    return { code, out };
  } finally {
    stdout.mockRestore();
    stderr.mockRestore();
  }
}

describe('mastercut webhooks verify', () => {
  const secret = generateWebhookSecret();
  const body = '{"type":"engagement.batch","events":[]}';
  const ts = Math.floor(Date.now() / 1000);
  const signature = `v1,bm90IGEgcmVhbCBzaWduYXR1cmUgYXQgYWxsIQ== ${computeWebhookSignature(secret, 'msg_cli', ts, body)}`;
  const args = ['verify', '--secret', secret, '--id', 'msg_cli', '--timestamp', String(ts), '--signature', signature];

  it('says which signature matched (exit 0), from --body or --body-file', async () => {
    const ok = spawnCli(...args, '--body', body);
    expect(ok).toMatchObject({ code: 0 });
    expect(ok.out).toMatch(/ok: signature #2 .* matches/);
    const dir = await mkdtemp(path.join(os.tmpdir(), 'wh-cli-'));
    await writeFile(path.join(dir, 'body.json'), body);
    expect((await cli(...args, '--body-file', path.join(dir, 'body.json'))).code).toBe(0);
  });

  it('says exactly why it failed (exit 1)', async () => {
    const altered = await cli(...args, '--body', `${body} `);
    expect(altered.code).toBe(1);
    expect(altered.out).toMatch(/FAILED \(no_match\)/);
    const late = await cli(...args, '--body', body, '--now', String(ts + 1000));
    expect(late.code).toBe(1);
    expect(late.out).toMatch(/FAILED \(timestamp_out_of_tolerance\).*1000 s in the past/);
    expect((await cli(...args, '--body', body, '--now', String(ts + 1000), '--tolerance-s', '2000')).code).toBe(0);
    const badSecret = await cli('verify', '--secret', 'abc', '--id', 'msg_cli', '--timestamp', String(ts), '--signature', signature, '--body', body);
    expect(badSecret.code).toBe(1);
    expect(badSecret.out).toMatch(/FAILED \(bad_secret\).*whsec_/);
  });

  it('refuses incomplete input with usage (exit 2)', async () => {
    const missing = await cli('verify', '--secret', secret, '--body', body);
    expect(missing.code).toBe(2);
    expect(missing.out).toMatch(/missing --id, --timestamp, --signature/);
  });
});
