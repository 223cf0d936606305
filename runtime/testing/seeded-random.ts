/**
 * A seeded pseudo-random generator (mulberry32) for tests, benchmarks and generated scenarios: small,
 * fast and good enough to spread choices, and the same seed gives the same sequence on every machine,
 * so a failure found with a seed can be replayed.
 */

/** Numbers in [0, 1), the same sequence for the same seed. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
