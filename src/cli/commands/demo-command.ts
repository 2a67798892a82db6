import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { pino } from 'pino';
import { startApiServer } from '../../api/main.js';
import type { CampaignStatus } from '../../campaigns/index.js';
import { loadConfig } from '../../config/index.js';
import { AppError } from '../../errors/index.js';
import { startEmbeddedRedis, type EmbeddedRedis } from '../embedded-redis.js';
import { runLocalDemo } from './demo-local.js';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');

/**
 * `mastercut demo [--once] [--local]`: the farm in one command. Starts an
 * embedded redis-server when REDIS_URL is not set, the HTTP API and a render
 * worker process, runs the sample campaign (examples/recipients.csv) through
 * the API, then prints the manifest and the URLs to open. With --once it
 * exits when the campaign is done; otherwise it keeps serving until Ctrl-C.
 */
export async function demoCommand(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      once: { type: 'boolean' },
      local: { type: 'boolean' },
      template: { type: 'string', default: 'year-recap' },
      channels: { type: 'string', default: 'email,web' },
      recipients: { type: 'string', default: path.join(repoRoot, 'examples/recipients.csv') },
    },
  });
  if (values.local) return runLocalDemo();

  const base = loadConfig();
  let redis: EmbeddedRedis | undefined;
  if (!base.farm.redisUrl) {
    process.stderr.write('REDIS_URL is not set: starting an embedded redis-server (AOF on, noeviction)...\n');
    redis = await startEmbeddedRedis({ aof: true });
  }
  const apiKey = base.farm.apiKeys[0] ?? `demo-${randomBytes(12).toString('hex')}`;
  const env = {
    ...process.env,
    REDIS_URL: base.farm.redisUrl ?? redis!.url,
    API_KEYS: [apiKey, ...base.farm.apiKeys.slice(1)].join(','),
    STORAGE_ROOT: base.farm.storageRoot,
  };
  const config = loadConfig(env);
  const quiet = pino({ level: 'warn' });
  const api = await startApiServer(config, { port: 0, host: '127.0.0.1', logger: quiet, publicBaseUrl: undefined });
  const worker = startWorker(env);
  const stopAll = async () => {
    await stopWorker(worker);
    await api.close();
    await redis?.destroy();
  };

  try {
    process.stderr.write(`API on ${api.url} (key ${apiKey}); render worker pid ${worker.pid}\n`);
    const call = (route: string, init: RequestInit = {}) =>
      fetch(`${api.url}${route}`, { ...init, headers: { authorization: `Bearer ${apiKey}`, ...init.headers } });

    const query = new URLSearchParams({ templateId: values.template!, channels: values.channels!, mode: 'prerender' });
    const created = await call(`/v1/campaigns?${query}`, {
      method: 'POST',
      headers: { 'content-type': 'text/csv' },
      body: Readable.toWeb(createReadStream(values.recipients!)) as ReadableStream,
      duplex: 'half',
    } as RequestInit);
    if (!created.ok) throw new AppError('INTERNAL', `campaign creation failed: ${created.status} ${await created.text()}`);
    let status = (await created.json()) as CampaignStatus;
    process.stderr.write(
      `campaign ${status.id}: ${status.counts.total} recipients, ${status.counts.valid} valid, ${status.counts.invalid} invalid, ` +
        `${status.counts.renders} distinct renders (${status.channels.join(', ')})\n`,
    );
    while (!['done', 'failed'].includes(status.state) || status.progress < 1) {
      if (worker.exitCode !== null) throw new AppError('INTERNAL', `the render worker exited with code ${worker.exitCode}`);
      await new Promise((resolve) => setTimeout(resolve, 1000));
      status = (await (await call(`/v1/campaigns/${status.id}`)).json()) as CampaignStatus;
      drawCampaign(status);
      if (status.state === 'failed') break;
    }
    process.stderr.write('\n');

    const manifest = await (await call(`/v1/campaigns/${status.id}/manifest?format=csv`)).text();
    const outDir = path.join(config.outDir, 'demo');
    await mkdir(outDir, { recursive: true });
    const manifestPath = path.join(outDir, `${status.id}-manifest.csv`);
    await writeFile(manifestPath, manifest);
    printResults(status, manifest, api.url, manifestPath);
    if (!values.once) {
      process.stdout.write('\nThe API keeps serving these URLs. Press Ctrl-C to stop.\n');
      await new Promise<void>((resolve) => process.once('SIGINT', resolve).once('SIGTERM', resolve));
    }
    return status.counts.failed > 0 ? 1 : 0;
  } finally {
    await stopAll();
  }
}

function startWorker(env: NodeJS.ProcessEnv): ChildProcess {
  const child = spawn(path.join(repoRoot, 'bin/mastercut'), ['worker', 'render'], {
    env: { ...env, LOG_LEVEL: 'warn' },
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  return child;
}

async function stopWorker(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
  await exited;
  clearTimeout(timer);
}

function drawCampaign(s: CampaignStatus): void {
  const width = 24;
  const filled = Math.round(s.progress * width);
  const eta = s.etaSeconds === undefined ? '--' : `${Math.ceil(s.etaSeconds)}s`;
  const line =
    `[${'#'.repeat(filled)}${'-'.repeat(width - filled)}] ${s.counts.rendered + s.counts.failed}/${s.counts.renders} renders` +
    `  (${s.counts.failed} failed)  ETA ${eta}`;
  process.stderr.write(process.stderr.isTTY ? `\r${line}\x1b[K` : `${line}\n`);
}

function printResults(s: CampaignStatus, manifest: string, apiUrl: string, manifestPath: string): void {
  const out = process.stdout;
  out.write(`\ncampaign ${s.id} ${s.state}: ${s.counts.rendered} rendered, ${s.counts.failed} failed, ${s.counts.invalid} invalid rows\n`);
  out.write(`manifest: ${path.relative(process.cwd(), manifestPath)}\n\n`);
  const [header, ...rows] = manifest.trim().split('\n');
  // Columns are `<channel>_url`; channels that share a variant share one video, shown once.
  const urlColumns = header!.split(',').flatMap((column, i) => (column.endsWith('_url') ? [{ channel: column.slice(0, -4), i }] : []));
  for (const row of rows.slice(0, 25)) {
    const cells = row.split(',');
    const byUrl = new Map<string, string[]>();
    for (const { channel, i } of urlColumns) byUrl.set(cells[i]!, [...(byUrl.get(cells[i]!) ?? []), channel]);
    const links = [...byUrl].map(([url, channels]) => `${channels.join('+')}: ${url.startsWith('http') ? url : `${apiUrl}${url}`}`);
    out.write(`  ${cells[0]!.padEnd(12)} ${links.join('  ')}\n`);
  }
  if (rows.length > 25) out.write(`  ... ${rows.length - 25} more in the manifest\n`);
  if (s.counts.invalid > 0) out.write(`\ninvalid rows: GET ${apiUrl}/v1/campaigns/${s.id}/errors\n`);
}
