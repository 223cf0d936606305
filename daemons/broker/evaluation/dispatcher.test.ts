/** Which verdicts of an evaluation the broker keeps, and what it sends for a flow. */
import { describe, expect, it } from 'vitest';
import type { PolicyVerdict } from '../../../policy/types.js';
import { evaluationOf } from '../testing/evaluator-double.js';
import { auditVerdicts, toEvaluateItem } from './dispatcher.js';

const v = (kind: PolicyVerdict['kind'], direction: PolicyVerdict['direction'], verdict: PolicyVerdict['verdict'] = 'WouldDeny'): PolicyVerdict => ({
  policy: `prod/${kind}`,
  kind,
  direction,
  verdict,
  reason: `${kind} ${direction}`,
  ref: { kind, namespace: kind === 'AuditClusterNetworkPolicy' ? '' : 'prod', name: kind.toLowerCase(), uid: 'u', generation: 3 },
});

describe('auditVerdicts', () => {
  it.each([
    { title: 'an egress observation keeps audit egress verdicts only', direction: 'Egress' as const, expected: ['AuditNetworkPolicy Egress', 'AuditClusterNetworkPolicy Egress'] },
    { title: 'an ingress observation keeps audit ingress verdicts only', direction: 'Ingress' as const, expected: ['AuditNetworkPolicy Ingress'] },
  ])('$title (NetworkPolicy verdicts are enforcement, never stored)', ({ direction, expected }) => {
    const evaluation = evaluationOf([
      v('NetworkPolicy', 'Egress'),
      v('NetworkPolicy', 'Ingress'),
      v('AuditNetworkPolicy', 'Egress'),
      v('AuditNetworkPolicy', 'Ingress', 'Allow'),
      v('AuditClusterNetworkPolicy', 'Egress'),
    ]);
    const kept = auditVerdicts(evaluation, direction);
    expect(kept.map((k) => k.reason)).toEqual(expected);
    expect(kept[0]!.policy.generation).toBe(3);
  });
});

describe('toEvaluateItem', () => {
  it('sends IPs always and pod identity only when both namespace and pod were stamped', () => {
    const item = toEvaluateItem({
      pending: 4,
      flow: {
        id: 9, bucket: '2026-03-01T10:00:00.000Z', firstSeen: '2026-03-01T10:00:01.000Z', lastSeen: '2026-03-01T10:00:09.000Z',
        src: { ip: '10.0.0.1', port: 5555, kind: 'pod', namespace: 'a', pod: 'p' },
        dst: { ip: '1.1.1.1', port: 443, kind: 'external' },
        protocol: 'TCP', direction: 'Egress', state: 'established', node: 'n', count: 10,
      },
    });
    expect(item).toEqual({
      id: 9, observedAt: '2026-03-01T10:00:09.000Z', count: 4, direction: 'Egress',
      flow: { src: { ip: '10.0.0.1', namespace: 'a', pod: 'p' }, dst: { ip: '1.1.1.1' }, protocol: 'TCP', port: 443 },
    });
  });
});
