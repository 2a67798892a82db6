import { spawnSync } from 'node:child_process';
import { mkdtemp, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { zkLinkCommand } from '../../../src/cli/commands/zk-link-command.js';
import { createDefaultRegistry } from '../../../src/pipeline/index.js';
import { runCli } from '../../../src/errors/index.js';
import { loadConfig } from '../../../src/config/index.js';
import { openZeroKnowledgeProps } from '../../../src/zero-knowledge/index.js';

const root = path.resolve(import.meta.dirname, '../../..');

/** `mastercut zk-link ...` in this process, with the CLI's error contract; stdout and stderr apart. */
async function cli(...args: string[]) {
  let stdout = '';
  let stderr = '';
  const out = vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => ((stdout += String(chunk)), true));
  const err = vi.spyOn(process.stderr, 'write').mockImplementation((chunk) => ((stderr += String(chunk)), true));
  try {
    return { code: await runCli(zkLinkCommand, args), stdout, stderr };
  } finally {
    out.mockRestore();
    err.mockRestore();
  }
}

describe('mastercut zk-link', () => {
  it('mints a link offline: the props sealed in the path, the key in the fragment, for the checkout’s bundle version', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'mastercut-zk-cli-'));
    const props = path.join(dir, 'props.json');
    await writeFile(props, JSON.stringify({ firstName: 'Zuleika', memberTier: 'Gold' }));
    const run = await cli('--template', 'year-recap', '--channel', 'web', '--props', props, '--prop', 'cta.label=Wander onward', '--prop', 'nightsStayed=12', '--base-url', 'https://farm.example.com', '--campaign', 'recap-2026');
    expect(run.code, run.stderr).toBe(0);
    const url = new URL(run.stdout.trim());
    expect(url.pathname).toMatch(/^\/z\/zk1\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/);
    expect(url.pathname).not.toMatch(/Zuleika|Wander/);
    const pid = /pseudonymous id: ([A-Za-z0-9_-]+)/.exec(run.stderr)![1];
    const registry = createDefaultRegistry(loadConfig());
    const version = (await registry.bundle('year-recap')).version;
    const opened = await openZeroKnowledgeProps(url.pathname.slice(3), url.hash.slice(3), { templateId: 'year-recap', templateVersion: version });
    expect(opened.header).toEqual({ templateId: 'year-recap', templateVersion: version, channel: 'web', pseudonymousId: pid, campaignId: 'recap-2026' });
    expect(opened.props).toMatchObject({ firstName: 'Zuleika', memberTier: 'Gold', nightsStayed: 12, cta: { label: 'Wander onward' } });
  });

  it('prints JSON with --json, and takes the pseudonymous id and template version given', async () => {
    const run = await cli('--template', 'reference', '--channel', 'email', '--prop', 'name=Ada', '--base-url', 'http://localhost:8080', '--pseudonymous-id', 'crm-000123', '--template-version', 'abcdef0123456789', '--json');
    expect(run.code, run.stderr).toBe(0);
    const link = JSON.parse(run.stdout) as Record<string, string>;
    expect(link).toMatchObject({ pseudonymousId: 'crm-000123', templateId: 'reference', templateVersion: 'abcdef0123456789', channel: 'email' });
    expect(link.url!.startsWith('http://localhost:8080/z/zk1.')).toBe(true);
  });

  it('refuses invalid props with their field paths (never the values), and missing flags with the usage', async () => {
    const bad = await cli('--template', 'year-recap', '--channel', 'web', '--prop', 'firstName=', '--prop', 'memberTier=Zuleika', '--base-url', 'https://farm.example.com');
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/INVALID_PROPS[\s\S]*memberTier/);
    expect(bad.stderr).not.toContain('Zuleika');
    expect(bad.stdout).toBe('');
    const remote = await cli('--template', 'year-recap', '--channel', 'web', '--prop', 'heroImageUrl=https://images.example.com/a.jpg', '--base-url', 'https://farm.example.com');
    expect(remote.stderr).toMatch(/heroImageUrl: a zero-knowledge page loads nothing from other hosts/);
    const missing = await cli('--template', 'year-recap', '--prop', 'firstName=A');
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/missing --channel, --base-url[\s\S]*usage: mastercut zk-link/);
    const insecure = await cli('--template', 'reference', '--channel', 'web', '--prop', 'name=A', '--base-url', 'http://farm.example.com');
    expect(insecure.code).toBe(2);
    expect(insecure.stderr).toMatch(/baseUrl must be https/);
  });

  it('has its own --help, and the CLI lists it', () => {
    const run = (...args: string[]) => spawnSync(process.execPath, ['--import', 'tsx', path.join(root, 'src/cli/main.ts'), ...args], { encoding: 'utf8', cwd: root });
    const help = run('zk-link', '--help');
    expect(help.status).toBe(0);
    expect(help.stdout).toMatch(/^usage: mastercut zk-link --template <id> --channel <name> --base-url/);
    expect(help.stdout).toMatch(/never sees the key or the props/);
    expect(run('--help').stdout).toMatch(/zk-link --template <id> --channel <name>/);
  });
});
