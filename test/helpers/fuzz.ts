import fc from 'fast-check';

/**
 * fast-check settings shared by the property and fuzz tests. `npm test`
 * runs each property with a fixed seed and a bounded number of cases (the
 * same cases every run, well under a minute in all). A longer run:
 *
 *   FUZZ_RUNS=2000 npx vitest run test/fuzz test/unit/uploads
 *
 * multiplies nothing and guesses nothing: FUZZ_RUNS is the number of cases
 * per property, and the seed is random (printed on failure, with the path to
 * replay it) unless FUZZ_SEED is set.
 */
export function fuzzParameters(defaultRuns: number): fc.Parameters<unknown> {
  const runs = Number(process.env.FUZZ_RUNS);
  const seed = Number(process.env.FUZZ_SEED);
  const long = Number.isInteger(runs) && runs > 0;
  return {
    numRuns: long ? runs : defaultRuns,
    seed: Number.isInteger(seed) ? seed : long ? Date.now() ^ (Math.random() * 0x7fffffff) : 13,
    endOnFailure: true,
  };
}

/** Counts the cases each property ran, for the summary a fuzz file prints at the end. */
export function createCaseCounter() {
  const counts = new Map<string, number>();
  return {
    /** Wraps a predicate so each call counts one case under `name`. */
    count<A extends unknown[], R>(name: string, predicate: (...args: A) => R): (...args: A) => R {
      return (...args: A) => {
        counts.set(name, (counts.get(name) ?? 0) + 1);
        return predicate(...args);
      };
    },
    total: () => [...counts.values()].reduce((a, b) => a + b, 0),
    summary: () => [...counts].map(([name, n]) => `${name}: ${n}`).join(', '),
  };
}
