// How kguardian's per-policy verdicts add up to its judgement of a flow: a direction denies when every
// verdict heard in it is WouldDeny, the flow is denied when either direction denies.
import { describe, expect, it } from 'vitest';
import type { Direction, Verdict } from '../../policy/types.js';
import { flowKey, VerdictIndex, type BrokerVerdict } from './judge.js';

const SRC = { namespace: 'e0-x', pod: 'a' };
const DST = { namespace: 'e0-y', pod: 'b' };
const KEY = flowKey(SRC, DST, 80, 'TCP');

function v(policy: string, direction: Direction, verdict: Verdict, port = 80): BrokerVerdict {
  const [namespace = '', name = ''] = policy.split('/');
  return { policy: { namespace, name }, direction, verdict, src: SRC, dst: DST, port, protocol: 'TCP', reason: `${policy} ${verdict}`, count: 1 };
}

describe('VerdictIndex.judge', () => {
  it.each([
    { name: 'no verdict: no policy selects either end', verdicts: [], denied: false },
    { name: 'one ingress WouldDeny', verdicts: [v('e0-y/r1-p0', 'Ingress', 'WouldDeny')], denied: true },
    { name: 'one egress WouldDeny', verdicts: [v('e0-x/r1-p0', 'Egress', 'WouldDeny')], denied: true },
    { name: 'WouldDeny and Allow on ingress: another policy admits it',
      verdicts: [v('e0-y/r1-p0', 'Ingress', 'WouldDeny'), v('e0-y/r1-p1', 'Ingress', 'Allow')], denied: false },
    { name: 'egress allowed, ingress denied',
      verdicts: [v('e0-x/r1-p0', 'Egress', 'Allow'), v('e0-y/r1-p1', 'Ingress', 'WouldDeny')], denied: true },
    { name: 'another scenario\'s WouldDeny is not heard', verdicts: [v('e0-y/r2-p0', 'Ingress', 'WouldDeny')], denied: false },
    { name: 'a prefix is matched whole (r1 is not r10)', verdicts: [v('e0-y/r10-p0', 'Ingress', 'WouldDeny')], denied: false },
    { name: 'another port is another flow', verdicts: [v('e0-y/r1-p0', 'Ingress', 'WouldDeny', 81)], denied: false },
    { name: 'repeated replay rows of one verdict count once',
      verdicts: [v('e0-y/r1-p0', 'Ingress', 'WouldDeny'), v('e0-y/r1-p0', 'Ingress', 'WouldDeny')], denied: true },
  ])('$name', ({ verdicts, denied }) => {
    const j = new VerdictIndex(verdicts).judge(KEY, 'r1');
    expect(j.denied).toBe(denied);
    if (denied) expect(j.reasons.length).toBeGreaterThan(0);
  });
});
