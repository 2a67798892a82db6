import { parseArgs } from 'node:util';
import type { Redis } from 'ioredis';
import { loadConfig } from '../../config/index.js';
import { AppError, usageError } from '../../errors/index.js';
// Direct imports, not the folders' index files: those pull in Bull Board, Express and prom-client, which a CLI call does not need.
import { formatDuration, parseDuration, cleanQueue, cleanableStates, retryFailedJobs, type CleanableState, createQueueStats, type QueueStats, adviseQueue, type QueueAdvice, scalingOptionsFromConfig } from '../../ops/index.js';
import { queueNames, closeRedisConnection, createRedisConnection } from '../../queue/index.js';
import { usageOf } from '../command-help.js';

const usage = usageOf('ops');

const ACTIONS = ['status', 'pause', 'resume', 'retry-failed', 'clean'] as const;

/**
 * `mastercut ops ...`: the operator's view of the queues (counts, completion
 * rates, workers online, time to drain and the recommended worker count)
 * and the admin actions (pause, resume, retry failed jobs, clean old ones).
 */
export async function opsCommand(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      queue: { type: 'string', short: 'q' },
      'target-drain': { type: 'string' },
      since: { type: 'string' },
      'older-than': { type: 'string' },
      state: { type: 'string' },
      json: { type: 'boolean' },
    },
  });
  const [action, queueArg] = positionals;
  if (!action || !(ACTIONS as readonly string[]).includes(action)) throw usageError(usage);
  // Check every argument before touching Redis, so a typo never waits on a connection.
  const queueName = action === 'status' ? (values.queue === undefined ? undefined : checkQueue(values.queue)) : checkQueue(queueArg);
  const targetDrainMs = values['target-drain'] === undefined ? undefined : parseDuration(values['target-drain'], '--target-drain');
  const sinceMs = values.since === undefined ? undefined : parseDuration(values.since, '--since');
  let olderThanMs = 0;
  let state: CleanableState = 'completed';
  if (action === 'clean') {
    if (values['older-than'] === undefined) throw usageError(`clean needs --older-than (e.g. --older-than 7d)\n${usage}`);
    olderThanMs = parseDuration(values['older-than'], '--older-than');
    if (values.state !== undefined) {
      if (!(cleanableStates as readonly string[]).includes(values.state)) throw usageError(`--state must be one of ${cleanableStates.join(', ')} (got "${values.state}")`);
      state = values.state as CleanableState;
    }
  }

  const config = loadConfig();
  const redis = await connect(config.farm.redisUrl);
  const stats = createQueueStats({ redis });
  try {
    switch (action) {
      case 'status': {
        const options = scalingOptionsFromConfig(config);
        if (targetDrainMs !== undefined) options.targetDrainSec = targetDrainMs / 1000;
        const names = queueName ? [queueName] : Object.values(queueNames);
        const report = await Promise.all(
          names.map(async (name) => {
            const s = await stats.read(name);
            return { stats: s, advice: adviseQueue(s, options) };
          }),
        );
        if (values.json) process.stdout.write(`${JSON.stringify(toJson(report, options.targetDrainSec))}\n`);
        else process.stdout.write(report.map((r) => table(r.stats, r.advice)).join('\n'));
        return 0;
      }
      case 'pause':
      case 'resume': {
        const queue = stats.queue(queueName!);
        if (action === 'pause') await queue.pause();
        else await queue.resume();
        process.stdout.write(`${queueName} ${action === 'pause' ? 'paused: workers take no new jobs (active ones finish)' : 'resumed'}\n`);
        return 0;
      }
      case 'retry-failed': {
        const since = sinceMs === undefined ? undefined : Date.now() - sinceMs;
        const result = await retryFailedJobs(stats.queue(queueName!), redis, { sinceMs: since });
        if (values.json) process.stdout.write(`${JSON.stringify({ queue: queueName, ...result })}\n`);
        else {
          const window = values.since ? ` that failed in the last ${values.since}` : '';
          const skipped = result.skipped > 0 ? ` (${result.skipped} could not be retried: removed or retried meanwhile)` : '';
          process.stdout.write(`retried ${result.retried} failed job(s) of ${queueName}${window}${skipped}\n`);
        }
        return 0;
      }
      case 'clean': {
        const removed = await cleanQueue(stats.queue(queueName!), { olderThanMs, state });
        if (values.json) process.stdout.write(`${JSON.stringify({ queue: queueName, state, removed })}\n`);
        else process.stdout.write(`removed ${removed} ${state} job(s) older than ${values['older-than']} from ${queueName}\n`);
        return 0;
      }
    }
    return 2;
  } finally {
    await stats.close();
    await closeRedisConnection(redis);
  }
}

function checkQueue(name: string | undefined): string {
  const valid = Object.values(queueNames) as string[];
  if (!name) throw usageError(`missing <queue>; one of: ${valid.join(', ')}\n${usage}`);
  if (!valid.includes(name)) throw usageError(`unknown queue "${name}"; valid queues: ${valid.join(', ')}`);
  return name;
}

/**
 * A connection that fails fast: the CLI should say at once that Redis is
 * unreachable, not retry for ever like a worker.
 */
async function connect(url: string | undefined): Promise<Redis> {
  if (!url) throw usageError('REDIS_URL is not set: point it at the farm\'s Redis, e.g. REDIS_URL=redis://127.0.0.1:6379 mastercut ops status');
  const redis = createRedisConnection(url, { lazyConnect: true, maxRetriesPerRequest: 1, retryStrategy: () => null, connectTimeout: 5_000 });
  // ioredis reports the socket error (ECONNREFUSED...) as an event and rejects with a generic one.
  let socketError: Error | undefined;
  redis.on('error', (err: Error) => (socketError ??= err));
  try {
    await redis.connect();
  } catch (err) {
    redis.disconnect();
    throw new AppError(
      'REDIS_UNAVAILABLE',
      `cannot reach Redis at ${safeUrl(url)} (${(socketError ?? (err as Error)).message}); check that it runs and that REDIS_URL points at the farm's Redis, e.g. REDIS_URL=redis://host:6379`,
      { cause: err },
    );
  }
  return redis;
}

/** The URL without credentials, for messages. */
function safeUrl(url: string): string {
  try {
    const u = new URL(url);
    u.username = '';
    u.password = '';
    return u.toString();
  } catch {
    return '(unparseable REDIS_URL)';
  }
}

function toJson(report: { stats: QueueStats; advice: QueueAdvice }[], targetDrainSec: number) {
  return {
    at: new Date().toISOString(),
    targetDrainSec,
    queues: report.map(({ stats, advice }) => ({
      ...stats,
      advice: {
        ...advice,
        // JSON has no Infinity: null with drains=false means "never at this rate".
        drainSec: advice.drainSec !== null && Number.isFinite(advice.drainSec) ? advice.drainSec : null,
        drains: advice.drainSec === null ? null : Number.isFinite(advice.drainSec),
      },
    })),
  };
}

function table(s: QueueStats, a: QueueAdvice): string {
  const rate = (w: QueueStats['windows'][number]) => `${w.completed} in ${w.minutes}m (${w.completedPerMinute.toFixed(1)}/min)`;
  const workers =
    s.workers.length === 0
      ? 'none online'
      : s.workers.map((w) => `${w.id} (x${w.concurrency}${w.encoders ? `, encoders ${w.encoders}` : ''})`).join(', ');
  const drain = a.drainSec === null ? 'unknown (no service time yet)' : a.drainSec === 0 ? 'empty' : `${formatDuration(a.drainSec)} with ${a.current} worker(s)`;
  const rows: [string, string][] = [
    ['waiting', String(s.counts.waiting + s.counts.prioritized)],
    ['active', String(s.counts.active)],
    ['delayed', String(s.counts.delayed)],
    ['failed', String(s.counts.failed)],
    ['completed', s.windows.map(rate).join(', ')],
    ['service', s.serviceSecPerJob === null ? 'not measured yet' : `${s.serviceSecPerJob.toFixed(2)} s/job (${s.serviceSamples} jobs)`],
    ['arrivals', s.arrivalPerSec === null ? 'not measured yet' : `${s.arrivalPerSec.toFixed(3)}/s (${s.arrivalBasis}, over ${formatDuration(s.arrivalSpanSec)})`],
    [`workers (${s.workers.length})`, workers],
    ['time to drain', drain],
    [`recommended`, `${a.workers} worker(s) to drain within ${formatDuration(a.targetDrainSec)}`],
    ['why', a.reason],
  ];
  const width = Math.max(...rows.map(([k]) => k.length));
  const title = `${s.queue}${s.paused ? '  [PAUSED]' : ''}`;
  return `${title}\n${'-'.repeat(title.length)}\n${rows.map(([k, v]) => `  ${k.padEnd(width)}  ${v}`).join('\n')}\n`;
}
