import { describe, expect, it } from 'vitest';
import { computeVersionMetrics, type RecipientVersions } from '../../../src/engagement/compute-version-metrics.js';

const recipient = (history: [number, number][], channels: Record<string, [number, number][]>): RecipientVersions => ({
  history: history.map(([version, at]) => ({ version, at })),
  channels: new Map(Object.entries(channels).map(([channel, shown]) => [channel, shown.map(([version, ts]) => ({ version, ts }))])),
});

describe('computeVersionMetrics', () => {
  it('judges each event against the version current at its time, and skips what the history does not cover', () => {
    const m = computeVersionMetrics([
      recipient(
        [
          [3, 1000],
          [4, 2000],
        ],
        // 900: before the oldest kept version (not judged); 1000: v3 is current from its own instant; 2500: v3 is stale.
        { web: [[3, 900], [3, 1000], [3, 2500], [4, 2000]] },
      ),
    ]);
    expect(m.versionConsistency).toEqual({ eventsCompared: 3, consistent: 2, score: 2 / 3, channels: { web: { eventsCompared: 3, consistent: 2, score: 2 / 3 } } });
  });

  it('measures each update to the channel first showing it, per channel, with nearest-rank percentiles', () => {
    const m = computeVersionMetrics([
      // Updates at 1000 (v2) and 5000 (v3); email shows v2 after 100 ms and v3 after 300 ms, the app v3 after 4000 ms.
      recipient(
        [
          [1, 0],
          [2, 1000],
          [3, 5000],
        ],
        { email: [[2, 1300], [2, 1100], [3, 5300]], app: [[1, 10], [3, 9000]] },
      ),
      // A clock ahead of the update counts as 0; version 1 (creation) is no update.
      recipient(
        [
          [1, 0],
          [2, 1000],
        ],
        { email: [[1, 5], [2, 990]] },
      ),
    ]);
    expect(m.dataLatency).toEqual({
      app: { samples: 1, p50Ms: 4000, p90Ms: 4000 },
      email: { samples: 3, p50Ms: 100, p90Ms: 300 },
    });
  });

  it('has no figures without events or history', () => {
    expect(computeVersionMetrics([])).toEqual({ versionConsistency: { eventsCompared: 0, consistent: 0, score: null, channels: {} }, dataLatency: {} });
    expect(computeVersionMetrics([recipient([], { web: [[1, 10]] })]).versionConsistency.eventsCompared).toBe(0);
  });
});
