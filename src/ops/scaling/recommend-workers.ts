import { AppError } from '../../errors/index.js';

/** What the advice is computed from: measured figures of one queue plus the operator's target. */
export interface RecommendWorkersInput {
  /** Jobs in the system now: waiting + prioritized + delayed + active. */
  backlog: number;
  /** Jobs arriving per second (measured: completions + backlog growth). */
  arrivalPerSec: number;
  /** Mean processing time of one job on one slot, in seconds (measured). */
  serviceSecPerJob: number;
  /** Jobs one worker process runs at once. */
  concurrencyPerWorker: number;
  /** The backlog should be gone within this many seconds. */
  targetDrainSec: number;
  /** Never advise fewer (default 0); an idle queue is advised exactly this many. */
  min?: number;
  /** Never advise more (default unbounded). */
  max?: number;
  /** Workers running now; gives `drainSec` (default: none running). */
  current?: number;
}

export interface WorkerAdvice {
  /** Worker processes to run, within [min, max]. */
  workers: number;
  /** The same before rounding and clamping (fractional workers). */
  exact: number;
  /** Which bound, if any, changed the answer. */
  clamped: 'min' | 'max' | null;
  /**
   * Seconds until the backlog is gone with `current` workers at the measured
   * rates: 0 when there is no backlog, Infinity when arrivals match or beat
   * the current capacity (the backlog never shrinks).
   */
  drainSec: number;
  /** One line that shows the arithmetic, for the CLI and logs. */
  reason: string;
}

/**
 * How many workers a queue needs to keep up with its arrivals and clear its
 * backlog within the target drain time.
 *
 * One worker clears `concurrency / service` jobs per second. The farm must
 * absorb the arrivals (`arrival` jobs/s) and on top of that remove the
 * backlog at `backlog / target` jobs/s, so
 *
 *     workers = ceil((arrival + backlog / target) * service / concurrency)
 *
 * clamped to [min, max]; an idle queue (no backlog, no arrivals) gets `min`,
 * which may be 0 so an autoscaler can scale to zero. This is a fluid model:
 * it ignores queueing delay at high utilisation, so a farm sized at exactly
 * `arrival * service / concurrency` keeps up on average but builds short
 * queues under bursts; the backlog term then pulls the advice up again.
 *
 * The drain time with the current workers is
 * `backlog / (current * concurrency / service - arrival)`.
 */
export function recommendWorkers(input: RecommendWorkersInput): WorkerAdvice {
  checkInput(input);
  const { backlog, arrivalPerSec: arrival, serviceSecPerJob: service, concurrencyPerWorker: concurrency, targetDrainSec: target } = input;
  const min = input.min ?? 0;
  const max = input.max ?? Number.POSITIVE_INFINITY;
  const current = input.current ?? 0;

  const perWorker = concurrency / service;
  const needRate = arrival + backlog / target;
  const exact = needRate / perWorker;
  // Rates are measured floats: 2.0000000001 workers is 2, not 3.
  const rounded = exact <= 0 ? 0 : Math.ceil(exact - 1e-9);
  let workers = rounded;
  let clamped: WorkerAdvice['clamped'] = null;
  if (workers < min) {
    workers = min;
    clamped = 'min';
  }
  if (workers > max) {
    workers = max;
    clamped = 'max';
  }

  const drainSec = drainTime(backlog, current * perWorker - arrival);
  const parts = [
    `(${fmt(arrival)} arrivals/s + backlog ${backlog} / ${fmt(target)} s target) x ${fmt(service)} s/job / ${concurrency} per worker = ${fmt(exact)}`,
  ];
  if (rounded === 0) parts.push(`idle: ${workers}${min > 0 ? ` (min ${min})` : ''}`);
  else if (clamped === 'min') parts.push(`raised to min ${min}`);
  else if (clamped === 'max') parts.push(`capped at max ${max} (${rounded} wanted)`);
  else parts.push(`-> ${workers}`);
  return { workers, exact, clamped, drainSec, reason: parts.join('; ') };
}

function drainTime(backlog: number, netRate: number): number {
  if (backlog <= 0) return 0;
  if (netRate <= 0) return Number.POSITIVE_INFINITY;
  return backlog / netRate;
}

function checkInput(input: RecommendWorkersInput): void {
  const bad: string[] = [];
  const nonNegative = (name: string, v: number | undefined) => {
    if (v !== undefined && !(Number.isFinite(v) && v >= 0)) bad.push(`${name} must be a finite number >= 0 (got ${v})`);
  };
  const positive = (name: string, v: number) => {
    if (!(Number.isFinite(v) && v > 0)) bad.push(`${name} must be a finite number > 0 (got ${v})`);
  };
  nonNegative('backlog', input.backlog);
  nonNegative('arrivalPerSec', input.arrivalPerSec);
  positive('serviceSecPerJob', input.serviceSecPerJob);
  positive('concurrencyPerWorker', input.concurrencyPerWorker);
  positive('targetDrainSec', input.targetDrainSec);
  nonNegative('min', input.min);
  nonNegative('current', input.current);
  if (input.max !== undefined && !(input.max >= 0)) bad.push(`max must be >= 0 (got ${input.max})`);
  if (input.min !== undefined && input.max !== undefined && input.min > input.max) bad.push(`min (${input.min}) exceeds max (${input.max})`);
  if (bad.length > 0) throw new AppError('INVALID_ARGUMENT', `recommendWorkers: ${bad.join('; ')}`);
}

function fmt(n: number): string {
  if (!Number.isFinite(n)) return String(n);
  return Number.isInteger(n) ? String(n) : n.toFixed(n < 10 ? 2 : 1);
}
