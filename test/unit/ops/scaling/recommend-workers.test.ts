import { describe, expect, it } from 'vitest';
import { recommendWorkers } from '../../../../src/ops/scaling/index.js';

const base = { concurrencyPerWorker: 1, targetDrainSec: 3600 };

describe('recommendWorkers', () => {
  it('steady state: enough workers to absorb the arrivals and nothing more', () => {
    // 0.5 jobs/s, 10 s each, 2 jobs per worker: 0.5 * 10 / 2 = 2.5 -> 3 workers.
    const advice = recommendWorkers({ ...base, backlog: 0, arrivalPerSec: 0.5, serviceSecPerJob: 10, concurrencyPerWorker: 2, current: 3 });
    expect(advice.workers).toBe(3);
    expect(advice.exact).toBeCloseTo(2.5, 9);
    expect(advice.clamped).toBeNull();
    expect(advice.drainSec).toBe(0);
  });

  it('exact multiples are not rounded up by float noise', () => {
    // 0.1 * 30 / 1.5 = 2 exactly in decimal, 2.0000000000000004 in floats.
    expect(recommendWorkers({ ...base, backlog: 0, arrivalPerSec: 0.1, serviceSecPerJob: 30, concurrencyPerWorker: 1.5 }).workers).toBe(2);
  });

  it('backlog burst: adds the workers that clear the backlog within the target', () => {
    // 3600 jobs to drain in 3600 s = 1 job/s on top of 0.5 arrivals/s; 4 s each, 1 per worker: 1.5 * 4 = 6.
    const advice = recommendWorkers({ ...base, backlog: 3600, arrivalPerSec: 0.5, serviceSecPerJob: 4, current: 3 });
    expect(advice.workers).toBe(6);
    // 3 workers clear 0.75 jobs/s, 0.25 net: 3600 / 0.25 = 14400 s.
    expect(advice.drainSec).toBeCloseTo(14_400, 6);
    expect(advice.reason).toContain('-> 6');
  });

  it('a shorter target asks for more workers', () => {
    const hour = recommendWorkers({ ...base, backlog: 1000, arrivalPerSec: 0, serviceSecPerJob: 36 }).workers;
    const tenMinutes = recommendWorkers({ ...base, backlog: 1000, arrivalPerSec: 0, serviceSecPerJob: 36, targetDrainSec: 600 }).workers;
    expect(hour).toBe(10);
    expect(tenMinutes).toBe(60);
  });

  it('idle: min workers, and 0 when min is 0', () => {
    const idle = recommendWorkers({ ...base, backlog: 0, arrivalPerSec: 0, serviceSecPerJob: 5, min: 1 });
    expect(idle.workers).toBe(1);
    expect(idle.clamped).toBe('min');
    expect(idle.reason).toContain('idle');
    expect(recommendWorkers({ ...base, backlog: 0, arrivalPerSec: 0, serviceSecPerJob: 5 }).workers).toBe(0);
  });

  it('never below min under a light load', () => {
    expect(recommendWorkers({ ...base, backlog: 1, arrivalPerSec: 0.01, serviceSecPerJob: 1, min: 2 }).workers).toBe(2);
  });

  it('arrivals faster than one worker: more than one even with no backlog', () => {
    // 3 jobs/s at 0.5 s each on 1 slot: one worker clears 2/s, so 1.5 -> 2.
    const advice = recommendWorkers({ ...base, backlog: 0, arrivalPerSec: 3, serviceSecPerJob: 0.5, current: 1 });
    expect(advice.workers).toBe(2);
    // One worker never catches up with a backlog.
    const behind = recommendWorkers({ ...base, backlog: 10, arrivalPerSec: 3, serviceSecPerJob: 0.5, current: 1 });
    expect(behind.drainSec).toBe(Number.POSITIVE_INFINITY);
    expect(recommendWorkers({ ...base, backlog: 10, arrivalPerSec: 3, serviceSecPerJob: 0.5, current: 0 }).drainSec).toBe(Number.POSITIVE_INFINITY);
  });

  it('cap: never above max, and says so', () => {
    const advice = recommendWorkers({ ...base, backlog: 1_000_000, arrivalPerSec: 50, serviceSecPerJob: 8, max: 40 });
    expect(advice.workers).toBe(40);
    expect(advice.clamped).toBe('max');
    expect(advice.reason).toMatch(/capped at max 40/);
  });

  it('follows a synthetic arrival pattern minute by minute', () => {
    // Service 6 s, 2 slots per worker, target 10 min; arrivals ramp up, burst, then stop.
    const pattern = [
      { backlog: 0, arrival: 0, want: 1 }, // idle -> min 1
      { backlog: 0, arrival: 1, want: 3 }, // 1 * 6 / 2 = 3
      { backlog: 600, arrival: 1, want: 6 }, // (1 + 1) * 6 / 2 = 6
      { backlog: 1200, arrival: 0, want: 6 }, // 2 * 6 / 2 = 6
      { backlog: 60, arrival: 0, want: 1 }, // 0.1 * 6 / 2 = 0.3 -> 1
    ];
    const advised = pattern.map((p) =>
      recommendWorkers({ backlog: p.backlog, arrivalPerSec: p.arrival, serviceSecPerJob: 6, concurrencyPerWorker: 2, targetDrainSec: 600, min: 1, max: 50 }).workers,
    );
    expect(advised).toEqual(pattern.map((p) => p.want));
  });

  it('refuses impossible inputs with a clear message', () => {
    expect(() => recommendWorkers({ ...base, backlog: -1, arrivalPerSec: 0, serviceSecPerJob: 1 })).toThrow(/backlog must be/);
    expect(() => recommendWorkers({ ...base, backlog: 0, arrivalPerSec: 0, serviceSecPerJob: 0 })).toThrow(/serviceSecPerJob must be/);
    expect(() => recommendWorkers({ ...base, backlog: 0, arrivalPerSec: Number.NaN, serviceSecPerJob: 1 })).toThrow(/arrivalPerSec/);
    expect(() => recommendWorkers({ ...base, backlog: 0, arrivalPerSec: 0, serviceSecPerJob: 1, min: 5, max: 2 })).toThrow(/min \(5\) exceeds max \(2\)/);
  });
});
