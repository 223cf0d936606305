import { describe, expect, it } from 'vitest';
import { decide, fingerprint, observe, type LeaseRecord } from './lease-decision.js';

const NOW = 1_000_000;
const held = (holder: string | undefined, renewAgoMs: number, rv = '7'): LeaseRecord => ({
  holder,
  durationMs: 15_000,
  renewTime: new Date(NOW - renewAgoMs),
  transitions: 3,
  resourceVersion: rv,
});

describe('decide', () => {
  it.each([
    { title: 'no lease: create it', record: null, seenAgoMs: undefined, expected: 'create' },
    { title: 'our lease: renew', record: held('me', 5000), seenAgoMs: 5000, expected: 'renew' },
    { title: 'released (no holder): take over at once', record: held(undefined, 0), seenAgoMs: 0, expected: 'takeover' },
    { title: 'released (empty holder): take over at once', record: held('', 0), seenAgoMs: 0, expected: 'takeover' },
    { title: 'another holder, seen changing 5 s ago: follow', record: held('other', 5000), seenAgoMs: 5000, expected: 'follow' },
    // The holder's clock says it renewed long ago, but we saw the record change only 14 s ago.
    { title: 'another holder, unchanged for 14 s of our clock: follow', record: held('other', 20_000), seenAgoMs: 14_000, expected: 'follow' },
    { title: 'another holder, unchanged for a full duration: take over', record: held('other', 15_000), seenAgoMs: 15_000, expected: 'takeover' },
    // First sight: our clock has not watched it, but renewTime is over two durations old.
    { title: 'first sight of a lease renewed 31 s ago: take over', record: held('other', 31_000), seenAgoMs: undefined, expected: 'takeover' },
    { title: 'first sight of a lease renewed 20 s ago: follow (clocks may be skewed)', record: held('other', 20_000), seenAgoMs: undefined, expected: 'follow' },
  ])('$title', ({ record, seenAgoMs, expected }) => {
    const seen = record && seenAgoMs !== undefined ? { fingerprint: fingerprint(record), at: NOW - seenAgoMs } : undefined;
    expect(decide(record, seen, 'me', NOW).kind).toBe(expected);
  });

  it('a follower knows how long the holder has left', () => {
    const record = held('other', 0);
    expect(decide(record, { fingerprint: fingerprint(record), at: NOW - 4000 }, 'me', NOW)).toEqual({ kind: 'follow', holder: 'other', expiresInMs: 11_000 });
  });

  it('a changed record restarts the clock even when an old sighting exists', () => {
    const old = held('other', 30_000, '7');
    const renewed = held('other', 0, '8');
    expect(decide(renewed, { fingerprint: fingerprint(old), at: NOW - 30_000 }, 'me', NOW).kind).toBe('follow');
  });
});

describe('observe', () => {
  it('keeps the first sighting of an unchanged record and restarts on a change', () => {
    const first = observe(undefined, held('other', 0, '1'), 100);
    expect(observe(first, held('other', 0, '1'), 500)).toBe(first);
    expect(observe(first, held('other', 0, '2'), 500).at).toBe(500);
  });
});
