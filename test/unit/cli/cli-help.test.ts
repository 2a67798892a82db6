import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { COMMAND_HELP, helpFor } from '../../../src/cli/command-help.js';
import { repoRoot } from '../../helpers/render-engine.js';

const bin = path.join(repoRoot, 'bin/mastercut');

function cli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(bin, args, { cwd: repoRoot, env: { PATH: process.env.PATH }, timeout: 60_000 }, (err, stdout, stderr) =>
      resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    );
  });
}

/** Commands that take a subcommand (`worker render`); the second word of the others is an argument. */
const GROUPS = new Set(Object.keys(COMMAND_HELP).filter((p) => p.includes(' ')).map((p) => p.split(' ')[0]!));

/**
 * Command paths named by lines that start with `mastercut ` (or, in the main
 * help, by the indented synopsis lines): the command, and the subcommand of
 * a group with `a|b|c` alternatives expanded (`campaign status|manifest`).
 */
function commandPaths(lines: string[]): string[] {
  const paths = new Set<string>();
  for (const line of lines) {
    const words: string[] = [];
    for (const word of line.trim().split(/\s+/)) {
      if (!/^[a-z][a-z-]*(\|[a-z][a-z-]*)*$/.test(word)) break;
      words.push(word);
    }
    if (words.length === 0) continue;
    const [first, second] = words;
    for (const sub of second && GROUPS.has(first!) ? second.split('|') : ['']) paths.add(sub ? `${first} ${sub}` : first!);
  }
  return [...paths].sort();
}

function readmeCommands(): string[] {
  const readme = readFileSync(path.join(repoRoot, 'README.md'), 'utf8');
  const section = readme.slice(readme.indexOf('\n## CLI'));
  const block = /```sh\n([\s\S]*?)```/.exec(section)![1]!;
  return commandPaths(block.split('\n').filter((l) => l.startsWith('mastercut ')).map((l) => l.slice('mastercut '.length)));
}

describe('mastercut --help', () => {
  const known = Object.keys(COMMAND_HELP).sort();

  it('lists every command and subcommand, the same ones the README lists', async () => {
    const { code, stdout } = await cli(['--help']);
    expect(code).toBe(0);
    const listed = commandPaths(stdout.split('\n').filter((l) => /^ {2}[a-z]/.test(l)));
    expect(listed).toEqual(known);
    expect(listed).toContain('worker transcode');
    expect(readmeCommands()).toEqual(listed);
  });

  it('gives each command and subcommand its own help, in the real CLI, exit 0', async () => {
    const results: { name: string; code: number; stdout: string }[] = [];
    const queue = [...known];
    // A few at a time: each is a Node process on a shared 2-core machine.
    await Promise.all(
      Array.from({ length: 4 }, async () => {
        for (let name = queue.shift(); name; name = queue.shift()) results.push({ name, ...(await cli([...name.split(' '), '--help'])) });
      }),
    );
    for (const { name, code, stdout } of results) {
      expect(code, name).toBe(0);
      expect(stdout, name).toMatch(new RegExp(`^usage: mastercut ${name} `));
      expect(stdout, name).toContain(COMMAND_HELP[name]!.summary);
      expect(stdout, name).not.toContain('commands:');
    }
  }, 180_000);

  it('lists the subcommands of a group, and answers an unknown command with exit 2', async () => {
    expect(helpFor(['worker', '--help'])).toMatch(/^usage: mastercut worker render .*\n {7}mastercut worker transcode .*\n {7}mastercut worker webhooks /);
    expect(helpFor(['ops', 'clean', 'render', '-h'])).toMatch(/^usage: mastercut ops clean </);
    expect(helpFor(['render', 'year-recap', '--out', 'x.mp4'])).toBeUndefined();
    const unknown = await cli(['nope', '--help']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('unknown command "nope"');
  });

  it('names only queues that exist in the ops help', async () => {
    const { queueNames } = await import('../../../src/queue/index.js');
    expect(COMMAND_HELP['ops status']!.details).toContain(`queues: ${Object.values(queueNames).join(', ')}.`);
  });
});
