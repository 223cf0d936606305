/**
 * Which memo keys were asked for lately, so the flow memo keeps only flows seen twice. Most
 * flows of a busy cluster come back (the same conversation in every flush, and observed from both
 * ends), but a large share are seen once; memoising those cost more than judging them: each
 * stayed in the memo with its reasons and encoded answer long enough to be copied by the
 * collector, then was dropped unread. A one-off flow's judgement now dies young.
 *
 * A direct-mapped table of numbers: a key's slot holds the last key that hashed there. Lossy on
 * purpose (a collision forgets a sighting, so that flow is memoised one sighting later); it never
 * says "seen" of a key that was not, and it allocates nothing per key.
 */
export class Sightings {
  private readonly slots: Float64Array;
  private readonly shift: number;

  /** @param bits log2 of the slots (2^bits keys remembered at most). */
  constructor(bits = 17) {
    this.slots = new Float64Array(1 << bits).fill(-1);
    this.shift = 32 - bits;
  }

  /**
   * True when `key` was seen since its slot last changed hands; otherwise remembers it and says
   * false. Keys are non-negative integers below 2^53.
   */
  seenBefore(key: number): boolean {
    const lo = key % 4_294_967_296 | 0;
    const hi = (key / 4_294_967_296) | 0;
    const slot = Math.imul(lo ^ Math.imul(hi, 0x9e3779b1), 0x85ebca6b) >>> this.shift;
    if (this.slots[slot] === key) return true;
    this.slots[slot] = key;
    return false;
  }
}
