import { describe, expect, it } from 'vitest';
import { IpHistory } from './ip-history.js';

describe('IpHistory.ownerAt', () => {
  // a held 10.0.0.1 from 100 to 200; b from 210 on; c held 10.0.0.2 from 100 and still does.
  const h = new IpHistory(5);
  h.claim('10.0.0.1', 'ns/a', 'a', 100);
  h.claim('10.0.0.2', 'ns/c', 'c', 100);
  h.release('a', 200);
  h.claim('10.0.0.1', 'ns/b', 'b', 210);

  it.each([
    { title: 'during the first ownership', ip: '10.0.0.1', at: 150, want: 'ns/a' },
    { title: 'at the release instant (end is exclusive)', ip: '10.0.0.1', at: 200, want: 'unowned' },
    { title: 'between owners', ip: '10.0.0.1', at: 204, want: 'unowned' },
    // within the 5 ms skew before b's creation
    { title: 'just before the next owner, within the skew', ip: '10.0.0.1', at: 206, want: 'ns/b' },
    { title: 'after the reuse', ip: '10.0.0.1', at: 5000, want: 'ns/b' },
    { title: 'before anyone held it', ip: '10.0.0.1', at: 10, want: 'unowned' },
    { title: 'an open ownership', ip: '10.0.0.2', at: 9999, want: 'ns/c' },
    { title: 'an address never held by a pod', ip: '192.0.2.1', at: 150, want: 'unrecorded' },
  ])('$title', ({ ip, at, want }) => {
    const o = h.ownerAt(ip, at);
    expect(o ? o.podKey : o === null ? 'unowned' : 'unrecorded').toBe(want);
  });

  it('lets the newer owner win where our late delete makes spans overlap', () => {
    const late = new IpHistory(0);
    late.claim('10.0.0.9', 'ns/old', 'old', 0);
    late.claim('10.0.0.9', 'ns/new', 'new', 50);
    late.release('old', 80);
    expect(late.ownerAt('10.0.0.9', 60)).toMatchObject({ podKey: 'ns/new' });
    expect(late.ownerAt('10.0.0.9', 40)).toMatchObject({ podKey: 'ns/old' });
  });

  it('prunes only spans that ended before the cut', () => {
    const p = new IpHistory(0);
    p.claim('10.0.0.1', 'ns/a', 'a', 0);
    p.release('a', 10);
    p.claim('10.0.0.1', 'ns/b', 'b', 20);
    expect(p.prune(15)).toBe(1);
    expect(p.size()).toBe(1);
    expect(p.ownerAt('10.0.0.1', 5)).toBeNull();
  });

  it('changes its version with every span claimed, ended or forgotten, and only then', () => {
    const h = new IpHistory(0);
    const steps: [string, () => unknown, boolean][] = [
      ['claim', () => { h.claim('10.0.0.1', 'ns/a', 'a', 0); }, true],
      ['the same claim again', () => { h.claim('10.0.0.1', 'ns/a', 'a', 0); }, false],
      ['release', () => { h.release('a', 10); }, true],
      ['release of nothing held', () => { h.release('a', 20); }, false],
      ['prune of nothing old enough', () => h.prune(5), false],
      ['prune', () => h.prune(15), true],
    ];
    for (const [title, step, changes] of steps) {
      const before = h.version;
      step();
      expect(h.version !== before, title).toBe(changes);
    }
  });
});
