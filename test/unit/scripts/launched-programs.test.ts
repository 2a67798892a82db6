import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, realpathSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { repoRoot } from '../../helpers/render-engine.js';
import { launchesInScript, launchesInShell, shellFunctions, type Launch } from './launched-programs.js';

// A fresh machine gets its programs from scripts/install-system-deps.sh and
// nothing else (`npm test` runs it with --test, the container smoke with
// --containers). So every program that code, a test, a bench or a script
// launches must come from a package of those lists, from Debian's required
// base (coreutils, grep, sed...) or from Node.js itself.

const LISTS = ['scripts/system-packages.txt', 'scripts/test-packages.txt', 'scripts/container-packages.txt'];
/** Launched only where installed, each behind a check; no Debian package of ours brings them. */
const OPTIONAL: Record<string, { file: string; guard: RegExp; why: string }> = {
  nginx: { file: 'bench/live-nginx.ts', guard: /existsSync\(candidate\)/, why: "bench/live.ts's reference server, when nginx-light is installed" },
  'nvidia-smi': { file: 'bench/gpu-check.sh', guard: /command -v nvidia-smi/, why: "the NVIDIA driver's tool, on GPU machines only" },
};
/** Files whose "programs" are fakes they create (tests of the binary lookup itself). */
const NOT_LAUNCHES = new Set(['test/unit/encode/check-dependencies.test.ts', 'test/unit/scripts/launched-programs.ts']);
/** The prerequisite the README names ("a Debian machine with Node.js 20"). */
const NODE = new Set(['node', 'npm', 'npx']);

function listed(): Set<string> {
  return new Set(
    LISTS.flatMap((list) => readFileSync(path.join(repoRoot, list), 'utf8').split('\n'))
      .map((line) => line.trim())
      .filter((line) => line && !line.startsWith('#')),
  );
}

/** Installed, generated or recorded trees: not the project's code. */
const SKIPPED_DIRS = new Set(['node_modules', '.git', '.cache', 'out', 'test-artifacts', 'test/fixtures/ffmpeg']);

function repoFiles(dir = ''): string[] {
  return readdirSync(path.join(repoRoot, dir), { withFileTypes: true }).flatMap((entry) => {
    const file = dir ? `${dir}/${entry.name}` : entry.name;
    if (entry.isDirectory()) return SKIPPED_DIRS.has(file) ? [] : repoFiles(file);
    return entry.isFile() && !NOT_LAUNCHES.has(file) ? [file] : [];
  });
}

function allLaunches(): Launch[] {
  const files = repoFiles();
  const shells = files.filter((f) => /\.sh$/.test(f) || f === 'bin/mastercut' || f === '.ci/run');
  const functions = shellFunctions(shells, repoRoot);
  return [
    ...files.filter((f) => /\.(ts|tsx|js|mjs)$/.test(f)).flatMap((f) => launchesInScript(f, repoRoot)),
    ...shells.flatMap((f) => launchesInShell(f, repoRoot, functions)),
  ];
}

/** The Debian package that owns `program` on this machine, or why there is none. */
function owningPackage(program: string): { pkg?: string; problem?: string } {
  const name = path.basename(program);
  const dirs = [...(process.env.PATH ?? '').split(':'), '/usr/sbin', '/sbin'];
  const found = path.isAbsolute(program) ? program : dirs.map((d) => path.join(d, name)).find((p) => existsSync(p));
  if (!found || !existsSync(found)) return { problem: 'not installed on this machine' };
  const candidates = [realpathSync(found), found, `/bin/${name}`, `/usr/bin/${name}`, `/sbin/${name}`, `/usr/sbin/${name}`];
  for (const candidate of candidates) {
    const owner = spawnSync('dpkg-query', ['-S', candidate], { encoding: 'utf8' });
    if (owner.status === 0) return { pkg: owner.stdout.split(':')[0]!.split(',')[0]!.trim() };
  }
  return { problem: `${found} belongs to no Debian package` };
}

function isBase(pkg: string): boolean {
  const fields = spawnSync('dpkg-query', ['-W', '-f=${Essential} ${Priority}', pkg], { encoding: 'utf8' }).stdout;
  return /^yes\b/.test(fields) || /\brequired$/.test(fields);
}

describe('programs launched by code, tests, benches and scripts', () => {
  const launches = allLaunches();
  const byProgram = new Map<string, string[]>();
  for (const l of launches) byProgram.set(l.program, [...(byProgram.get(l.program) ?? []), l.where]);

  it('finds the launches it must (the scanner itself works)', () => {
    for (const program of ['ffmpeg', 'ffprobe', 'redis-server', 'chromium-headless-shell', 'unshare', '/usr/bin/chromium', 'podman', 'debootstrap']) {
      expect(byProgram.has(program), program).toBe(true);
    }
    // A promisified execFile called where it is made (the studio screenshots' ffmpeg), and a shell "$FFMPEG".
    expect(byProgram.get('ffmpeg')?.some((where) => where.startsWith('scripts/studio-screenshots.ts:'))).toBe(true);
    expect(byProgram.get('ffmpeg')?.some((where) => where.startsWith('scripts/generate-footage.sh:'))).toBe(true);
    // Words that only look like commands are not launches.
    for (const word of ['cpu', 'arg', 'pkg', 'nvidia', 'got', 'tool']) expect(byProgram.has(word), word).toBe(false);
  });

  it('are each installed by scripts/install-system-deps.sh (a listed package), Debian base or Node.js', () => {
    const packages = listed();
    const problems: string[] = [];
    for (const [program, where] of byProgram) {
      const name = path.basename(program);
      if (NODE.has(name) || packages.has(name) || OPTIONAL[name]) continue;
      const { pkg, problem } = owningPackage(program);
      if (pkg && (packages.has(pkg) || isBase(pkg))) continue;
      problems.push(`${program} (${where.slice(0, 3).join(', ')}): ${problem ?? `from package ${pkg}, which none of ${LISTS.join(', ')} installs`}`);
    }
    expect(problems).toEqual([]);
  });

  it('launches the optional ones only behind a check that they are installed', () => {
    for (const [name, { file, guard }] of Object.entries(OPTIONAL)) {
      expect(readFileSync(path.join(repoRoot, file), 'utf8')).toMatch(guard);
      expect([...byProgram.keys()].some((p) => path.basename(p) === name), name).toBe(true);
    }
  });
});
