/** Where a policy name fits on a command line, and which cluster flags the line carries. */
import { describe, expect, it } from 'vitest';
import { nameSlot, parseLine } from './names.js';

describe('parseLine', () => {
  it.each([
    { args: ['describe', ''], words: ['describe'], current: '', kube: {} },
    { args: ['--kubeconfig', '/k', 'audit', 'promote', '-n', 'prod', 'pa'], words: ['audit', 'promote'], current: 'pa', kube: { kubeconfig: '/k', namespace: 'prod' } },
    { args: ['describe', '--context=dev', '--namespace=web', 'kgacnp', 'x'], words: ['describe', 'kgacnp'], current: 'x', kube: { context: 'dev', namespace: 'web' } },
    // Values of other flags are not positionals.
    { args: ['audit', 'promote-cluster', '--target-namespace', 'prod', '-o', 'json', ''], words: ['audit', 'promote-cluster'], current: '', kube: {} },
    { args: ['audit', 'promote', '--force', ''], words: ['audit', 'promote'], current: '', kube: {} },
  ])('$args', ({ args, words, current, kube }) => {
    expect(parseLine(args)).toEqual({ words, current, kube });
  });
});

describe('nameSlot', () => {
  it.each([
    { words: ['describe'], slot: 'kind-or-name' },
    { words: ['describe', 'kgacnp'], slot: 'AuditClusterNetworkPolicy' },
    { words: ['describe', 'kganp'], slot: 'AuditNetworkPolicy' },
    { words: ['describe', 'payments'], slot: undefined },
    { words: ['describe', 'kganp', 'payments'], slot: undefined },
    { words: ['audit', 'promote'], slot: 'AuditNetworkPolicy' },
    { words: ['audit', 'promote-cluster'], slot: 'AuditClusterNetworkPolicy' },
    { words: ['audit', 'promote', 'payments'], slot: undefined },
    { words: ['audit', 'test'], slot: undefined },
    { words: ['audit'], slot: undefined },
    { words: [], slot: undefined },
  ])('$words', ({ words, slot }) => {
    const s = nameSlot(words);
    expect(typeof s === 'object' ? s.kind : s).toBe(slot);
  });
});
