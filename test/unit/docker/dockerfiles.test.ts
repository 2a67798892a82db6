import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { repoRoot } from '../../helpers/render-engine.js';
import { aptPackages, dockerDir, readDockerfile, systemPackages } from './deploy-files.js';

/**
 * The images cannot be built here (no Docker engine), so their Dockerfiles are
 * read and checked: what each installs against scripts/, who runs it, what
 * PID 1 is, and whether its HEALTHCHECK command really tells a healthy
 * process from a sick one (it is run against a local HTTP server).
 */
const images = {
  'api.Dockerfile': { portVar: 'API_PORT', base: /^node:20-bookworm-slim$/ },
  'render-worker.Dockerfile': { portVar: 'METRICS_PORT', base: /^node:20-bookworm-slim$/ },
  'transcode-worker.Dockerfile': { portVar: 'METRICS_PORT', base: /^nvidia\/cuda:/ },
} as const;
type ImageName = keyof typeof images;

/**
 * What each image must install, derived from scripts/system-packages.txt (the
 * list scripts/install-system-deps.sh installs on dev machines and CI):
 * - render worker: the whole list, plus tini (PID 1);
 * - transcode worker: the list without the browser and the Redis server (it
 *   renders nothing and runs no Redis), plus tini and the VAAPI drivers
 *   (Intel/AMD GPUs; NVIDIA's libraries come from the container toolkit);
 * - API (and the webhook worker, same image): none of the list, only tini.
 */
function expectedPackages(image: ImageName): string[] {
  const list = systemPackages();
  if (image === 'render-worker.Dockerfile') return [...list, 'tini'];
  if (image === 'transcode-worker.Dockerfile') {
    return [...list.filter((p) => p !== 'chromium-headless-shell' && p !== 'redis-server'), 'tini', 'intel-media-va-driver', 'mesa-va-drivers'];
  }
  return ['tini'];
}

const servers: Server[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => new Promise((resolve) => s.close(resolve))));
});

async function healthServer(status: number): Promise<number> {
  const server = createServer((req, res) => {
    res.statusCode = req.url === '/healthz' ? status : 404;
    res.end();
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return (server.address() as AddressInfo).port;
}

function runHealthcheck(argv: string[], env: Record<string, string>): Promise<number | null> {
  // The image runs `node`; here it is this Node.
  const [cmd, ...args] = argv[0] === 'node' ? [process.execPath, ...argv.slice(1)] : argv;
  const child = spawn(cmd!, args, { env: { PATH: process.env.PATH ?? '', ...env }, stdio: 'ignore' });
  return new Promise((resolve) => child.once('exit', (code) => resolve(code)));
}

describe.each(Object.keys(images) as ImageName[])('docker/%s', (name) => {
  const file = readDockerfile(name);
  const spec = images[name];
  const final = (keyword: string) => file.final.filter((i) => i.keyword === keyword);

  it('is multi-stage: dependencies are installed in a build stage and copied into the runtime', () => {
    expect(file.stages.length).toBeGreaterThanOrEqual(2);
    expect(file.stages.at(-1)!.image).toMatch(spec.base);
    const deps = file.instructions.filter((i) => i.stage < file.stages.length - 1 && i.keyword === 'RUN');
    expect(deps.some((i) => /npm ci --omit=dev/.test(i.args))).toBe(true);
    // The runtime never runs npm: node_modules come from the build stage.
    expect(final('RUN').some((i) => /\bnpm (ci|install)\b/.test(i.args))).toBe(false);
    const stageNames = file.stages.map((s) => s.name).filter(Boolean);
    for (const copy of final('COPY').filter((i) => i.args.startsWith('--from='))) {
      expect(stageNames).toContain(/^--from=(\S+)/.exec(copy.args)![1]);
    }
  });

  it('installs exactly the packages scripts/ installs for its role', () => {
    expect([...aptPackages(file)].sort()).toEqual([...new Set(expectedPackages(name))].sort());
    // The script it relies on installs the list (and nothing else).
    const script = readFileSync(path.join(repoRoot, 'scripts/install-system-deps.sh'), 'utf8');
    expect(script).toMatch(/system-packages\.txt/);
    expect(script).toMatch(/apt-get install[^\n]*"\$\{packages\[@\]\}"/);
  });

  it('runs as a non-root user with tini as PID 1 (no -g: Chromium and ffmpeg children must outlive the first SIGTERM)', () => {
    const user = final('USER').at(-1)?.args;
    expect(user).toBeDefined();
    expect(user).not.toMatch(/^(root|0)(:|$)/);
    const entrypoint = final('ENTRYPOINT').at(-1)!.args;
    expect(JSON.parse(entrypoint)).toEqual(['tini', '--']);
    expect(aptPackages(file).has('tini')).toBe(true);
  });

  it('starts a command the CLI has', async () => {
    const cmd = JSON.parse(final('CMD').at(-1)!.args) as string[];
    expect(cmd[0]).toBe('./bin/mastercut');
    // The CLI answers `<command> --help` with 0 for a command it has, 2 for one it does not.
    const help = spawn(path.join(repoRoot, 'bin/mastercut'), [cmd[1]!, '--help'], { cwd: repoRoot, stdio: 'ignore' });
    expect(await new Promise((resolve) => help.once('exit', resolve))).toBe(0);
    if (cmd[1] === 'worker') expect(existsSync(path.join(repoRoot, `workers/${cmd[2]}.ts`))).toBe(true);
  });

  it('copies only paths that exist, and keeps build junk out of the context (per-Dockerfile .dockerignore)', () => {
    for (const copy of file.instructions.filter((i) => i.keyword === 'COPY' && !i.args.startsWith('--from='))) {
      const sources = copy.args.split(/\s+/).slice(0, -1);
      for (const source of sources) expect(existsSync(path.join(repoRoot, source)), `${name}: COPY ${source}`).toBe(true);
    }
    const ignore = readFileSync(path.join(dockerDir, `${name}.dockerignore`), 'utf8').split('\n').map((l) => l.trim());
    for (const entry of ['node_modules', '.cache', 'out', '.env', '.git', 'test-artifacts']) expect(ignore).toContain(entry);
  });

  it('declares its probe port and a HEALTHCHECK that passes on 200 from /healthz and fails otherwise', async () => {
    expect(file.env[spec.portVar]).toMatch(/^\d+$/);
    expect(final('EXPOSE').map((i) => i.args)).toContain(file.env[spec.portVar]);
    const healthcheck = final('HEALTHCHECK').at(-1)!.args;
    const argv = JSON.parse(/CMD\s+(\[.*\])\s*$/.exec(healthcheck)![1]!) as string[];
    expect(argv.join(' ')).toContain('/healthz');
    expect(argv.join(' ')).toContain(`process.env.${spec.portVar}`);

    expect(await runHealthcheck(argv, { [spec.portVar]: String(await healthServer(200)) })).toBe(0);
    expect(await runHealthcheck(argv, { [spec.portVar]: String(await healthServer(503)) })).toBe(1);
    const closed = await healthServer(200);
    await new Promise((resolve) => servers.pop()!.close(resolve));
    expect(await runHealthcheck(argv, { [spec.portVar]: String(closed) })).toBe(1);
  });
});

describe('build context', () => {
  const entries = (file: string) =>
    readFileSync(file, 'utf8')
      .split('\n')
      .map((l) => l.trim())
      .filter((l) => l && !l.startsWith('#'));

  it('keeps secrets, tests, benches, logs and installed modules out of the root .dockerignore too (builders that ignore the per-Dockerfile files)', () => {
    const root = entries(path.join(repoRoot, '.dockerignore'));
    for (const entry of ['.env', '.env.*', 'test', 'bench', '*.log', 'logs', 'node_modules', '.git', '.cache', 'out', 'test-artifacts']) expect(root).toContain(entry);
    for (const name of Object.keys(images)) {
      for (const entry of entries(path.join(dockerDir, `${name}.dockerignore`))) expect(root, `${name}.dockerignore: ${entry}`).toContain(entry);
    }
  });
});

describe('render worker image', () => {
  it('has Chromium (headless shell), ffmpeg and fonts from Debian bookworm', () => {
    const packages = aptPackages(readDockerfile('render-worker.Dockerfile'));
    for (const p of ['chromium-headless-shell', 'ffmpeg', 'fonts-dejavu-core', 'fonts-noto-core']) expect(packages.has(p)).toBe(true);
  });
});

describe('transcode worker image', () => {
  it('asks the NVIDIA toolkit for the video (NVENC/NVDEC) and compute driver libraries and checks ffmpeg has NVENC', () => {
    const file = readDockerfile('transcode-worker.Dockerfile');
    expect(file.env.NVIDIA_DRIVER_CAPABILITIES?.split(',')).toEqual(expect.arrayContaining(['video', 'compute']));
    expect(file.final.some((i) => i.keyword === 'RUN' && /ffmpeg[^&]*-encoders[^&]*h264_nvenc/.test(i.args))).toBe(true);
  });
});
