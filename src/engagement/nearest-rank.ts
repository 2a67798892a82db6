/**
 * The nearest-rank percentile of sorted samples: the ceil(p/100 * n)-th
 * smallest (1-based), so it is always one of the samples. Null when empty.
 */
export function nearestRank(sorted: readonly number[], p: number): number | null {
  if (sorted.length === 0) return null;
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length));
  return sorted[Math.min(rank, sorted.length) - 1]!;
}

/** Upper bounds (ms, inclusive) of the time-to-first-response histogram; the last bucket is unbounded. */
export const TTFR_BUCKETS_MS: readonly (number | null)[] = [60_000, 300_000, 900_000, 3_600_000, 21_600_000, 86_400_000, 259_200_000, null];

/** Counts per bucket of TTFR_BUCKETS_MS (a sample goes to the first bound it does not exceed). */
export function ttfrHistogram(samples: readonly number[]): { upToMs: number | null; count: number }[] {
  const counts = TTFR_BUCKETS_MS.map(() => 0);
  for (const sample of samples) {
    const i = TTFR_BUCKETS_MS.findIndex((bound) => bound === null || sample <= bound);
    counts[i]!++;
  }
  return TTFR_BUCKETS_MS.map((upToMs, i) => ({ upToMs, count: counts[i]! }));
}
