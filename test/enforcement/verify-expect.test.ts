// What verify must report for an enforced probe, row by row of verify-expect.ts's table, and the matching of
// reported rows against it.
import { describe, expect, it } from 'vitest';
import { compareMismatches, expectVerify, verifyLine, type ExpectedMismatch, type ReportedMismatch, type VerifyProbe } from './verify-expect.js';

const OK = [true];
const FAILED_4 = [false, false, false, false];

describe('expectVerify', () => {
  it.each<{ title: string; probe: VerifyProbe; mismatches: string[]; invisible: boolean }>([
    { title: 'allowed both ways and connected: agrees', probe: { protocol: 'TCP', sides: { egress: 'allow', ingress: 'allow' }, tries: OK }, mismatches: [], invisible: false },
    { title: 'no policy anywhere, connected', probe: { protocol: 'UDP', sides: { egress: 'unselected', ingress: 'unselected' }, tries: OK }, mismatches: [], invisible: false },
    { title: 'denied at the destination, dropped: agrees', probe: { protocol: 'TCP', sides: { egress: 'allow', ingress: 'deny' }, tries: [false, false] }, mismatches: [], invisible: false },
    { title: 'denied at the source, dropped: agrees', probe: { protocol: 'UDP', sides: { egress: 'deny', ingress: 'unselected' }, tries: [false, false] }, mismatches: [], invisible: false },
    { title: 'denied at the destination, connected (TCP)', probe: { protocol: 'TCP', sides: { egress: 'unselected', ingress: 'deny' }, tries: OK }, mismatches: ['Ingress NotEnforced'], invisible: false },
    { title: 'denied at the destination, connected (UDP: seen arriving)', probe: { protocol: 'UDP', sides: { egress: 'allow', ingress: 'deny' }, tries: OK }, mismatches: ['Ingress NotEnforced'], invisible: false },
    { title: 'denied at the source, connected (TCP)', probe: { protocol: 'TCP', sides: { egress: 'deny', ingress: 'allow' }, tries: OK }, mismatches: ['Egress NotEnforced'], invisible: false },
    { title: 'denied at the source, connected (UDP: seen leaving proves nothing)', probe: { protocol: 'UDP', sides: { egress: 'deny', ingress: 'unselected' }, tries: OK }, mismatches: [], invisible: true },
    { title: 'denied both ways, connected (TCP): both ends', probe: { protocol: 'TCP', sides: { egress: 'deny', ingress: 'deny' }, tries: OK }, mismatches: ['Ingress NotEnforced', 'Egress NotEnforced'], invisible: false },
    { title: 'denied both ways, connected (UDP): the destination only', probe: { protocol: 'UDP', sides: { egress: 'deny', ingress: 'deny' }, tries: OK }, mismatches: ['Ingress NotEnforced'], invisible: false },
    { title: 'connected at the second try only, denied: the connection counts', probe: { protocol: 'TCP', sides: { egress: 'unselected', ingress: 'deny' }, tries: [false, true] }, mismatches: ['Ingress NotEnforced'], invisible: false },
    { title: 'allowed at the source, failed 4 times (TCP)', probe: { protocol: 'TCP', sides: { egress: 'allow', ingress: 'allow' }, tries: FAILED_4 }, mismatches: ['Egress DroppedElsewhere'], invisible: false },
    { title: 'allowed at the source, failed 3 times (TCP): just enough', probe: { protocol: 'TCP', sides: { egress: 'allow', ingress: 'unselected' }, tries: [false, false, false] }, mismatches: ['Egress DroppedElsewhere'], invisible: false },
    { title: 'allowed at the source, failed twice (TCP): too few to say', probe: { protocol: 'TCP', sides: { egress: 'allow', ingress: 'allow' }, tries: [false, false] }, mismatches: [], invisible: true },
    { title: 'allowed at the source, failed (UDP: seen leaving is no failure)', probe: { protocol: 'UDP', sides: { egress: 'allow', ingress: 'allow' }, tries: FAILED_4 }, mismatches: [], invisible: true },
    { title: 'allowed at the destination only, failed: the destination saw nothing', probe: { protocol: 'TCP', sides: { egress: 'unselected', ingress: 'allow' }, tries: FAILED_4 }, mismatches: [], invisible: true },
    { title: 'no policy at all, failed: nothing predicted', probe: { protocol: 'TCP', sides: { egress: 'unselected', ingress: 'unselected' }, tries: FAILED_4 }, mismatches: [], invisible: true },
    { title: 'allowed at the source, denied at the destination, failed: agrees', probe: { protocol: 'TCP', sides: { egress: 'allow', ingress: 'deny' }, tries: FAILED_4 }, mismatches: [], invisible: false },
  ])('$title', ({ probe, mismatches, invisible }) => {
    const e = expectVerify(probe);
    expect(e.mismatches.map((m) => `${m.direction} ${m.outcome}`)).toEqual(mismatches);
    expect(e.invisible).toBe(invisible);
  });
});

describe('compareMismatches', () => {
  const expected = new Map<string, ExpectedMismatch[]>([
    ['0 3 x/a->y/b:80/TCP', [{ direction: 'Ingress', outcome: 'NotEnforced' }, { direction: 'Egress', outcome: 'NotEnforced' }]],
    ['1 0 x/c->x/a:81/TCP', [{ direction: 'Egress', outcome: 'DroppedElsewhere' }]],
  ]);
  const row = (probe: string, direction: 'Ingress' | 'Egress', outcome: 'NotEnforced' | 'DroppedElsewhere', policy = 'e3-y/u01-p0', ownScenario = true): ReportedMismatch =>
    ({ probe, direction, outcome, policy, ownScenario });

  it.each<{ title: string; reported: ReportedMismatch[]; matched: number; unexplained: string[]; missed: string[] }>([
    { title: 'every expected mismatch reported once', matched: 3, unexplained: [], missed: [],
      reported: [row('0 3 x/a->y/b:80/TCP', 'Ingress', 'NotEnforced'), row('0 3 x/a->y/b:80/TCP', 'Egress', 'NotEnforced', 'e3-x/u01-p1'), row('1 0 x/c->x/a:81/TCP', 'Egress', 'DroppedElsewhere', 'e0-x/r007-p0')] },
    { title: 'two policies deciding one end: two rows, both explained', matched: 4, unexplained: [], missed: [],
      reported: [row('0 3 x/a->y/b:80/TCP', 'Ingress', 'NotEnforced'), row('0 3 x/a->y/b:80/TCP', 'Ingress', 'NotEnforced', 'e3-y/u01-p2'),
        row('0 3 x/a->y/b:80/TCP', 'Egress', 'NotEnforced', 'e3-x/u01-p1'), row('1 0 x/c->x/a:81/TCP', 'Egress', 'DroppedElsewhere', 'e0-x/r007-p0')] },
    { title: 'nothing reported: every expectation missed', matched: 0, unexplained: [],
      reported: [], missed: ['0 3 x/a->y/b:80/TCP Egress NotEnforced', '0 3 x/a->y/b:80/TCP Ingress NotEnforced', '1 0 x/c->x/a:81/TCP Egress DroppedElsewhere'] },
    { title: 'a mismatch on a probe that expects none, and the wrong outcome', matched: 0,
      reported: [row('0 4 x/a->y/b:80/TCP', 'Ingress', 'NotEnforced', 'e4-y/u02-p0'), row('1 0 x/c->x/a:81/TCP', 'Egress', 'NotEnforced', 'e0-x/r007-p0')],
      unexplained: ['0 4 x/a->y/b:80/TCP Ingress NotEnforced (e4-y/u02-p0)', '1 0 x/c->x/a:81/TCP Egress NotEnforced (e0-x/r007-p0)'],
      missed: ['0 3 x/a->y/b:80/TCP Egress NotEnforced', '0 3 x/a->y/b:80/TCP Ingress NotEnforced', '1 0 x/c->x/a:81/TCP Egress DroppedElsewhere'] },
    { title: 'the right flow under another scenario\'s policy: unexplained', matched: 2,
      reported: [row('0 3 x/a->y/b:80/TCP', 'Ingress', 'NotEnforced'), row('0 3 x/a->y/b:80/TCP', 'Egress', 'NotEnforced', 'e3-x/u01-p1'),
        row('1 0 x/c->x/a:81/TCP', 'Egress', 'DroppedElsewhere', 'e0-x/r017-p0', false)],
      unexplained: ['1 0 x/c->x/a:81/TCP Egress DroppedElsewhere (e0-x/r017-p0, not a policy of the scenario enforced there)'],
      missed: ['1 0 x/c->x/a:81/TCP Egress DroppedElsewhere'] },
  ])('$title', ({ reported, matched, unexplained, missed }) => {
    expect(compareMismatches(expected, reported)).toEqual({ matched, unexplained, missed });
  });
});

describe('verifyLine', () => {
  it.each([
    { t: { mismatches: 0, probes: 14688, scenarios: 51, unexplained: 0, missed: 0 }, line: 'verify (enforcer on): 0 mismatches over 14688 probes (51 scenarios), all explained' },
    { t: { mismatches: 412, probes: 72288, scenarios: 251, unexplained: 2, missed: 1 }, line: 'verify (enforcer on): 412 mismatches over 72288 probes (251 scenarios), 2 unexplained, 1 expected and not reported' },
  ])('$line', ({ t, line }) => {
    expect(verifyLine(t)).toBe(line);
  });
});
