import { createReadStream, createWriteStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseArgs } from 'node:util';
import { createOutputIndex, createRenderQueue, createRenders, createDeliverableRequests, type TranscodeJobData } from '../../renders/index.js';
import { createCampaignService, createFanOutQueue, type CampaignService, type CampaignStatus, type FanOutQueue } from '../../campaigns/index.js';
import { loadConfig } from '../../config/index.js';
import { CancelledError, usageError } from '../../errors/index.js';
import { createChannelProfileResolver } from '../../encode/index.js';
import { queueNames } from '../../queue/index.js';
import { createObjectStore } from '../../storage/index.js';
import { createDefaultRegistry } from '../../pipeline/index.js';
import { areErased } from '../../live/index.js';
import { usageOf } from '../command-help.js';

const usage = usageOf('campaign');

/**
 * `mastercut campaign ...`: creates a campaign from a recipients file (the
 * same fan-out as POST /v1/campaigns), follows it with a progress bar, and
 * writes its manifest.
 */
export async function campaignCommand(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      template: { type: 'string', short: 't' },
      channels: { type: 'string', short: 'c' },
      recipients: { type: 'string', short: 'r' },
      variant: { type: 'string' },
      wait: { type: 'boolean', short: 'w' },
      out: { type: 'string', short: 'o' },
      format: { type: 'string' },
      json: { type: 'boolean' },
    },
  });
  const [action, id] = positionals;
  if (!action || !['create', 'resume', 'status', 'manifest', 'errors'].includes(action)) throw usageError(usage);
  if (action !== 'create' && !id) throw usageError(`missing <campaignId>\n${usage}`);
  const config = loadConfig();
  if (!config.farm.redisUrl) throw usageError('REDIS_URL must point at the farm\'s Redis (the one the workers use).');

  // The configuration's parts are built before anything connects: a bad one exits at once.
  const registry = createDefaultRegistry(config);
  const store = createObjectStore(config);
  const profiles = createChannelProfileResolver({ overrides: config.transcode.profileOverrides, webm: config.transcode.webm });
  const renderQueue = createRenderQueue({ redisUrl: config.farm.redisUrl, events: false });
  const transcodeQueue = createRenderQueue<TranscodeJobData>({ redisUrl: config.farm.redisUrl, queueName: queueNames.transcode, events: false, jobOptions: config.jobs });
  const redis = renderQueue.connection;
  const index = createOutputIndex(redis, { doneTtlSeconds: config.outputIndex.doneTtlSeconds });
  // Only scheduled when this command is interrupted mid-file: an API process (or `campaign resume`) then resumes the fan-out.
  const fanOutQueue = createFanOutQueue({ redisUrl: config.farm.redisUrl, onError: () => undefined });
  const campaigns = createCampaignService(
    {
      redis,
      // The render lifecycle behind one door: the campaign never holds the BullMQ queue itself.
      renders: createRenders({ queue: renderQueue.queue, redis, index, store }),
      registry,
      index,
      store,
      jobOptions: renderQueue.jobOptions,
      profiles,
      deliverables: createDeliverableRequests(redis, { queue: transcodeQueue.queue, jobOptions: transcodeQueue.jobOptions }),
      // Rows of erased recipients are refused here as through the API.
      erased: (ids) => areErased(redis, ids),
    },
    { window: config.campaigns.window },
  );
  const abort = new AbortController();
  const onSignal = () => abort.abort('interrupted');
  process.once('SIGINT', onSignal);
  try {
    let status: CampaignStatus;
    if (action === 'create') {
      if (!values.template || !values.channels || !values.recipients) throw usageError(`create needs --template, --channels and --recipients\n${usage}`);
      const format = recipientsFormat(values.recipients);
      await stat(values.recipients).catch(() => {
        throw usageError(`cannot read --recipients ${values.recipients}`);
      });
      const accepted = await campaigns.accept(
        {
          templateId: values.template,
          channels: values.channels.split(',').map((c) => c.trim()),
          mode: 'prerender',
          variant: values.variant,
          recipients: createReadStream(values.recipients),
          format,
        },
        'none',
      );
      status = await fanOut(campaigns, accepted, abort.signal, () => fanOutQueue.schedule(accepted.id));
      process.stderr.write(`campaign ${status.id}: ${status.counts.valid} valid, ${status.counts.invalid} invalid of ${status.counts.total} rows; ${status.counts.renders} renders\n`);
      await printErrors(campaigns, status.id, 10);
    } else if (action === 'resume') {
      status = await resume(campaigns, id!, fanOutQueue, abort.signal);
    } else if (action === 'errors') {
      await printErrors(campaigns, id!, Number.POSITIVE_INFINITY);
      return 0;
    } else if (action === 'manifest') {
      await writeManifest(campaigns, id!, values.out, values.format);
      return 0;
    } else {
      status = await campaigns.status(id!);
    }
    if (values.wait) status = await follow(campaigns, status, abort.signal);
    if (values.out) await writeManifest(campaigns, status.id, values.out, values.format);
    process.stdout.write(values.json ? `${JSON.stringify(status)}\n` : summary(status));
    return status.state === 'failed' || status.counts.failed > 0 ? 1 : 0;
  } finally {
    process.off('SIGINT', onSignal);
    await Promise.all([renderQueue.close(), transcodeQueue.close(), fanOutQueue.close()]);
  }
}

/**
 * The stored file's fan-out, run here with the farm's window
 * (CAMPAIGN_WINDOW): at most that many of its renders queued at once, more
 * as they finish, so a file of millions never fills Redis. It therefore
 * ends when all but the last window of renders are done; a bar shows the
 * rows fanned out. Ctrl-C stops it at a chunk boundary and hands it to the
 * durable fan-out queue, which any API process resumes from its checkpoint.
 */
async function fanOut(campaigns: CampaignService, accepted: CampaignStatus, signal: AbortSignal, handOver: () => Promise<void>): Promise<CampaignStatus> {
  const run = campaigns.runFanOut(accepted.id, { windowed: true, signal });
  const shown = follow(campaigns, accepted, AbortSignal.any([signal, settled(run)]), ['ingesting']).catch(() => undefined);
  try {
    await run;
  } catch (err) {
    if (!signal.aborted) throw err;
  }
  await shown;
  if (process.stderr.isTTY) process.stderr.write('\n');
  const status = await campaigns.status(accepted.id);
  if (signal.aborted && status.state === 'ingesting') {
    await handOver();
    process.stderr.write(`fan-out of ${accepted.id} stopped at row ${status.counts.fannedOut} of ${status.counts.total}; an API process (mastercut serve) resumes it from there, or run: mastercut campaign resume ${accepted.id}\n`);
    throw new CancelledError();
  }
  return status;
}

/**
 * Goes on with a fan-out that a stopped `campaign create` (Ctrl-C, kill -9,
 * a lost connection) left behind, from the campaign's checkpoint: the rows
 * already queued are not queued again. Without an API process running, this
 * is how a CLI-only farm finishes such a campaign.
 */
async function resume(campaigns: CampaignService, id: string, fanOutQueue: FanOutQueue, signal: AbortSignal): Promise<CampaignStatus> {
  const status = await campaigns.status(id);
  if (status.state !== 'ingesting') {
    process.stderr.write(`campaign ${id} is ${status.state}: its fan-out has ended, nothing to resume\n`);
    return status;
  }
  if (!(await fanOutQueue.withdraw(id))) {
    process.stderr.write(`campaign ${id} is being fanned out by an API process; follow it with: mastercut campaign status ${id} --wait\n`);
    return status;
  }
  process.stderr.write(`resuming the fan-out of ${id} at row ${status.counts.fannedOut} of ${status.counts.total}\n`);
  return fanOut(campaigns, status, signal, () => fanOutQueue.schedule(id));
}

/** A signal that fires once `promise` settles, either way. */
function settled(promise: Promise<unknown>): AbortSignal {
  const done = new AbortController();
  void promise.then(
    () => done.abort(),
    () => done.abort(),
  );
  return done.signal;
}

function recipientsFormat(file: string): 'csv' | 'jsonl' {
  const ext = path.extname(file).toLowerCase();
  if (ext === '.csv') return 'csv';
  if (ext === '.jsonl' || ext === '.ndjson') return 'jsonl';
  throw usageError(`--recipients must be a .csv, .jsonl or .ndjson file, got "${path.basename(file)}"`);
}

/** Polls the status once a second until the campaign is done or failed, drawing a bar on stderr. */
async function follow(campaigns: CampaignService, initial: CampaignStatus, signal: AbortSignal, states: CampaignStatus['state'][] = ['ingesting', 'rendering']): Promise<CampaignStatus> {
  const tty = Boolean(process.stderr.isTTY);
  let status = initial;
  let lastLine = '';
  while (states.includes(status.state)) {
    const line = progressLine(status);
    if (tty) process.stderr.write(`\r${line}\x1b[K`);
    else if (line !== lastLine) process.stderr.write(`${line}\n`);
    lastLine = line;
    await sleep(1000, undefined, { signal }).catch(() => {
      throw new CancelledError('stopped waiting (the campaign goes on)');
    });
    status = await campaigns.status(status.id);
  }
  if (tty) process.stderr.write(`\r${progressLine(status)}\x1b[K\n`);
  return status;
}

function progressLine(s: CampaignStatus): string {
  const width = 24;
  const filled = Math.round(s.progress * width);
  const eta = s.etaSeconds === undefined ? '--' : s.etaSeconds < 60 ? `${s.etaSeconds}s` : `${Math.floor(s.etaSeconds / 60)}m${String(s.etaSeconds % 60).padStart(2, '0')}s`;
  const done = s.counts.rendered + s.counts.failed;
  const rows = s.state === 'ingesting' ? `  ${s.counts.fannedOut}/${s.counts.total} rows fanned out` : '';
  return `${s.id} [${'#'.repeat(filled)}${'-'.repeat(width - filled)}] ${done}/${s.counts.renders} renders  ${s.counts.failed} failed${rows}  ETA ${eta}`;
}

async function writeManifest(campaigns: CampaignService, id: string, out: string | undefined, formatFlag: string | undefined) {
  const format = formatFlag ?? (out && /\.(jsonl|ndjson)$/i.test(out) ? 'jsonl' : 'csv');
  if (format !== 'csv' && format !== 'jsonl') throw usageError('--format must be csv or jsonl');
  const body = await campaigns.manifest(id, format);
  if (!out) return pipeline(body, process.stdout, { end: false });
  await pipeline(body, createWriteStream(out));
  process.stderr.write(`manifest written to ${out}\n`);
}

async function printErrors(campaigns: CampaignService, id: string, max: number): Promise<void> {
  const shown = Math.min(max, 10_000);
  const page = await campaigns.errors(id, { limit: Number.isFinite(shown) ? shown : 10_000 });
  for (const e of page.errors) {
    const where = e.endLine ? `lines ${e.line}-${e.endLine}` : `line ${e.line}`;
    if ('warning' in e) {
      process.stderr.write(`  ${where}: warning: ${e.warning}\n`);
      continue;
    }
    const fields = e.issues?.map((i) => `${i.path}: ${i.message}`).join('; ');
    process.stderr.write(`  ${where}: ${e.reason}${fields ? ` (${fields})` : ''}\n`);
  }
  const reports = page.invalid + page.warnings;
  if (reports > page.errors.length) process.stderr.write(`  ... ${reports - page.errors.length} more (mastercut campaign errors ${id})\n`);
}

function summary(s: CampaignStatus): string {
  const c = s.counts;
  return [
    `campaign ${s.id}  ${s.templateId}  ${s.channels.join(',')}  ${s.state}`,
    `  rows     ${c.total} (${c.valid} valid, ${c.invalid} invalid${c.warnings ? `, ${c.warnings} warnings` : ''})`,
    `  renders  ${c.renders} (${c.cached} already done, ${c.queued} queued, ${c.rendered} rendered, ${c.failed} failed)`,
    '',
  ].join('\n');
}
