import type { CampaignMetrics } from './campaign-metrics.schema.js';
import { nearestRank } from './nearest-rank.js';

/** One event's shown profile version and its time (epoch ms). */
export interface ShownVersion {
  version: number;
  ts: number;
}

/** One profile version and when it was written (epoch ms). */
export interface VersionAt {
  version: number;
  at: number;
}

/** Per recipient: each channel's shown versions, and the profile's history (oldest first). */
export interface RecipientVersions {
  channels: ReadonlyMap<string, readonly ShownVersion[]>;
  history: readonly VersionAt[];
}

/**
 * The version-based figures of the campaign metrics, from what each
 * channel showed (the `pv` aggregate) and the profile's history:
 *
 * - versionConsistency: among events whose moment the history covers, the
 *   share that showed the version current at that moment (the latest
 *   version written at or before the event). An event older than the
 *   oldest kept version cannot be judged and is left out.
 * - dataLatency: per channel, for each profile update (version 2 and later:
 *   creation is no update) that the channel showed, the time from the
 *   update to the channel's first event showing it (0 when an event's
 *   clock is ahead). Percentiles are nearest-rank.
 */
export function computeVersionMetrics(recipients: Iterable<RecipientVersions>): Pick<CampaignMetrics, 'versionConsistency' | 'dataLatency'> {
  const perChannel = new Map<string, { compared: number; consistent: number }>();
  const latencies = new Map<string, number[]>();
  for (const { channels, history } of recipients) {
    if (history.length === 0) continue;
    for (const [channel, shown] of channels) {
      const tally = perChannel.get(channel) ?? { compared: 0, consistent: 0 };
      for (const event of shown) {
        const current = currentAt(history, event.ts);
        if (current === undefined) continue;
        tally.compared++;
        if (current === event.version) tally.consistent++;
      }
      if (tally.compared > 0) perChannel.set(channel, tally);
      for (const update of history) {
        if (update.version < 2) continue;
        let first = Infinity;
        for (const event of shown) if (event.version === update.version && event.ts < first) first = event.ts;
        if (first === Infinity) continue;
        const samples = latencies.get(channel) ?? [];
        samples.push(Math.max(0, first - update.at));
        latencies.set(channel, samples);
      }
    }
  }
  const byChannel = Object.fromEntries(
    [...perChannel].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([channel, t]) => [channel, { eventsCompared: t.compared, consistent: t.consistent, score: t.compared === 0 ? null : t.consistent / t.compared }]),
  );
  const compared = [...perChannel.values()].reduce((sum, t) => sum + t.compared, 0);
  const consistent = [...perChannel.values()].reduce((sum, t) => sum + t.consistent, 0);
  const dataLatency = Object.fromEntries(
    [...latencies].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([channel, samples]) => {
      const sorted = samples.sort((a, b) => a - b);
      return [channel, { samples: sorted.length, p50Ms: nearestRank(sorted, 50), p90Ms: nearestRank(sorted, 90) }];
    }),
  );
  return {
    versionConsistency: { eventsCompared: compared, consistent, score: compared === 0 ? null : consistent / compared, channels: byChannel },
    dataLatency,
  };
}

/** The version current at `ts`: the latest written at or before it; undefined when the history starts later. */
function currentAt(history: readonly VersionAt[], ts: number): number | undefined {
  let current: number | undefined;
  for (const entry of history) if (entry.at <= ts) current = entry.version;
  return current;
}
