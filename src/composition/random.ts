/**
 * A deterministic pseudo-random number in [0, 1) for a seed: the same seed
 * gives the same number on every frame, every render and every machine, which
 * Math.random() cannot. Use different seeds (e.g. `particle-${i}`) for
 * independent values. The numbers differ from Remotion's for the same seed.
 *
 * `random(null)` is `Math.random()`, as in Remotion: a different number on
 * every call, for what must be unique but never visible (an SVG gradient id).
 * Never derive anything visible from it, or frames stop being reproducible.
 */
export function random(seed: string | number | null): number {
  if (seed === null) return Math.random();
  if (typeof seed === 'number' && Number.isNaN(seed)) throw new TypeError('random(): seed must not be NaN');
  if (typeof seed !== 'string' && typeof seed !== 'number') {
    throw new TypeError(`random(): seed must be a string or a number, got ${typeof seed}`);
  }
  const text = typeof seed === 'number' ? `n:${seed}` : `s:${seed}`;

  // FNV-1a over UTF-16 code units gives a 32-bit hash of the seed...
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  // ...which a murmur3-style finaliser spreads over all bits, so that seeds
  // differing by one character give unrelated numbers.
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return (h >>> 0) / 4294967296;
}
