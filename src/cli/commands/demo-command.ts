import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { pino } from 'pino';
import { startApiServer } from '../../api/index.js';
import type { CampaignStatus } from '../../campaigns/index.js';
import { loadConfig } from '../../config/index.js';
import { AppError } from '../../errors/index.js';
import { startEmbeddedRedis, type EmbeddedRedis } from '../embedded-redis.js';
import { runLocalDemo } from './demo-local.js';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');

/**
 * `mastercut demo [--once] [--local]`: the farm in one command. Starts an
 * embedded redis-server when REDIS_URL is not set, the HTTP API, a render
 * worker and a transcode worker process, runs the sample campaign
 * (examples/recipients.csv) through the API, waits for its channel
 * deliverables, then prints the manifest, the URLs to open and a Live URL.
 * With --once it exits when all that is done; otherwise it keeps serving
 * until Ctrl-C.
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
    STORAGE_ROOT: base.storage.root,
  };
  const config = loadConfig(env);
  const quiet = pino({ level: 'warn' });
  const api = await startApiServer(config, { port: 0, host: '127.0.0.1', logger: quiet, publicBaseUrl: undefined });
  const worker = startWorker(env, 'render');
  const transcoder = startWorker(env, 'transcode');
  const stopAll = async () => {
    await Promise.all([stopWorker(worker), stopWorker(transcoder)]);
    await api.close();
    await redis?.destroy();
  };

  try {
    process.stderr.write(`API on ${api.url} (key ${apiKey}); render worker pid ${worker.pid}, transcode worker pid ${transcoder.pid}\n`);
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
    // 202: the file is stored and its rows counted; the fan-out job queues the renders next.
    while (status.state === 'ingesting') {
      await new Promise((resolve) => setTimeout(resolve, 200));
      status = (await (await call(`/v1/campaigns/${status.id}`)).json()) as CampaignStatus;
    }
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
    await waitForDeliverables(api.url, manifest);
    printResults(status, manifest, api.url, manifestPath);
    const live = await call('/v1/live-links', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ templateId: values.template, channels: ['web'], props: {} }),
    });
    if (live.ok) {
      const { links } = (await live.json()) as { links: { url: string }[] };
      process.stdout.write(`\nLive URL (plays at once in a browser, renders on first open): ${api.url}${links[0]!.url}\n`);
    }
    process.stdout.write(`Campaign dashboard (log in with the API key above): ${api.url}/dashboard/campaigns/${status.id}\n`);
    if (!values.once) {
      process.stdout.write('\nThe API keeps serving these URLs. Press Ctrl-C to stop.\n');
      await new Promise<void>((resolve) => process.once('SIGINT', resolve).once('SIGTERM', resolve));
    }
    return status.counts.failed > 0 ? 1 : 0;
  } finally {
    await stopAll();
  }
}

function startWorker(env: NodeJS.ProcessEnv, kind: 'render' | 'transcode'): ChildProcess {
  const child = spawn(path.join(repoRoot, 'bin/mastercut'), ['worker', kind], {
    // METRICS_PORT=0: each worker's ops port is a free one, so two workers on one machine never collide.
    env: { ...env, LOG_LEVEL: 'warn', METRICS_PORT: '0' },
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

/** Transcode workers cut the deliverables after each master: wait (bounded) until the manifest's URLs answer. */
async function waitForDeliverables(apiUrl: string, manifest: string): Promise<void> {
  const urls = manifest.trim().split('\n').slice(1).flatMap((row) => row.split(',').filter((cell) => cell.startsWith('/v1/outputs/')));
  const deadline = Date.now() + 180_000;
  for (let i = 0; i < urls.length; i++) {
    process.stderr.write(process.stderr.isTTY ? `\rchannel deliverables: ${i}/${urls.length} ready\x1b[K` : '');
    while ((await fetch(`${apiUrl}${urls[i]}`, { method: 'HEAD' })).status !== 200) {
      if (Date.now() > deadline) return void process.stderr.write('\nsome deliverables are still being made; their URLs will answer once done\n');
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
  }
  process.stderr.write(`\rchannel deliverables: ${urls.length}/${urls.length} ready\x1b[K\n`);
}

function printResults(s: CampaignStatus, manifest: string, apiUrl: string, manifestPath: string): void {
  const out = process.stdout;
  out.write(`\ncampaign ${s.id} ${s.state}: ${s.counts.rendered} rendered, ${s.counts.failed} failed, ${s.counts.invalid} invalid rows\n`);
  out.write(`manifest: ${path.relative(process.cwd(), manifestPath)}\n\n`);
  const [header, ...rows] = manifest.trim().split('\n');
  // Columns: `<channel>_url` (the master; channels sharing a variant share it) and `<channel>_<file>_url` (deliverables).
  const urlColumns = header!.split(',').flatMap((column, i) => (column.endsWith('_url') ? [{ name: column.slice(0, -4), i }] : []));
  const shown = 5;
  for (const row of rows.slice(0, shown)) {
    const cells = row.split(',');
    const byUrl = new Map<string, string[]>();
    for (const { name, i } of urlColumns) byUrl.set(cells[i]!, [...(byUrl.get(cells[i]!) ?? []), name]);
    out.write(`  ${cells[0]}\n`);
    for (const [url, names] of byUrl) out.write(`    ${names.join(' = ').padEnd(28)} ${url.startsWith('http') ? url : `${apiUrl}${url}`}\n`);
  }
  if (rows.length > shown) out.write(`  ... ${rows.length - shown} more in the manifest\n`);
  if (s.counts.invalid > 0) out.write(`\ninvalid rows: GET ${apiUrl}/v1/campaigns/${s.id}/errors\n`);
}
