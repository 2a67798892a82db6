/**
 * Token buckets in this process's memory, one per name (a mint key's
 * position): `ratePerSecond` tokens flow in, at most `burst` are kept.
 * Per process on purpose: a send fans out over every API replica, and a
 * shared counter in Redis would cost a round trip on the hottest path;
 * N replicas allow N times the rate (documented with MINT_RATE_LIMIT_PER_S).
 */
export function createTokenBuckets(options: { ratePerSecond: number; burst: number; now?: () => number }) {
  const now = options.now ?? (() => performance.now());
  const buckets = new Map<string | number, { tokens: number; at: number }>();
  return {
    /** Takes one token: 0 when granted, else the seconds until one is there. */
    take(name: string | number): number {
      const t = now();
      let bucket = buckets.get(name);
      if (!bucket) buckets.set(name, (bucket = { tokens: options.burst, at: t }));
      bucket.tokens = Math.min(options.burst, bucket.tokens + ((t - bucket.at) / 1000) * options.ratePerSecond);
      bucket.at = t;
      if (bucket.tokens >= 1) {
        bucket.tokens -= 1;
        return 0;
      }
      return (1 - bucket.tokens) / options.ratePerSecond;
    },
  };
}
