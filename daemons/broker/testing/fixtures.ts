/**
 * Builders for verdicts used across the broker's tests (and the flow builders, from contracts/testing/), so each
 * test states only what it is about.
 */
import type { NewVerdict } from '../store/types.js';

export { batch, observation } from '../../../contracts/testing/flow-batch.js';

export function verdict(over: Partial<NewVerdict> & { ns?: string; name?: string } = {}): NewVerdict {
  const { ns, name, ...rest } = over;
  return {
    policy: { uid: 'uid-1', kind: 'AuditNetworkPolicy', namespace: ns ?? 'prod', name: name ?? 'payments-isolation', generation: 1 },
    direction: 'Egress',
    verdict: 'WouldDeny',
    reason: 'not allowed by any egress rule',
    ...rest,
  };
}
