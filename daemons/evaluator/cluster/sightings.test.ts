import { describe, expect, it } from 'vitest';
import { Sightings } from './sightings.js';

describe('Sightings', () => {
  it('says seen only of a key asked for before, across the whole key range', () => {
    const s = new Sightings(4);
    for (const key of [0, 1, 65_535, 2 ** 32, 2 ** 32 + 7, 2 ** 52 + 3, Number.MAX_SAFE_INTEGER]) {
      expect(s.seenBefore(key)).toBe(false);
      expect(s.seenBefore(key)).toBe(true);
    }
  });

  it('forgets a key whose slot another key took, and never mistakes one key for another', () => {
    const s = new Sightings(2);
    const keys = Array.from({ length: 64 }, (_, i) => i * 1_000_003);
    for (const k of keys) s.seenBefore(k);
    const remembered = keys.filter((k) => s.seenBefore(k));
    // Four slots: at most four of the 64 keys are still remembered, and each only because it was asked for.
    expect(remembered.length).toBeLessThanOrEqual(4);
    expect(s.seenBefore(5)).toBe(false);
  });
});
