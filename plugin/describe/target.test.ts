/** Every spelling of a describe target kubectl users reach for, and the mistakes. */
import { describe, expect, it } from 'vitest';
import { parseDescribeTarget } from './target.js';

describe('parseDescribeTarget', () => {
  it.each([
    { args: ['payments'], kind: 'AuditNetworkPolicy', name: 'payments' },
    { args: ['anp', 'payments'], kind: 'AuditNetworkPolicy', name: 'payments' },
    { args: ['anp/payments'], kind: 'AuditNetworkPolicy', name: 'payments' },
    { args: ['auditnetworkpolicy/payments'], kind: 'AuditNetworkPolicy', name: 'payments' },
    { args: ['AuditNetworkPolicy', 'payments'], kind: 'AuditNetworkPolicy', name: 'payments' },
    { args: ['auditnetworkpolicies.kguardian.dev', 'payments'], kind: 'AuditNetworkPolicy', name: 'payments' },
    { args: ['acnp', 'platform'], kind: 'AuditClusterNetworkPolicy', name: 'platform' },
    { args: ['acnp/platform'], kind: 'AuditClusterNetworkPolicy', name: 'platform' },
    { args: ['auditclusternetworkpolicies', 'platform'], kind: 'AuditClusterNetworkPolicy', name: 'platform' },
  ])('$args', ({ args, kind, name }) => {
    const t = parseDescribeTarget(args);
    expect([t.res.kind, t.name]).toEqual([kind, name]);
  });

  it.each([
    { args: [], message: 'name a policy: describe NAME [-n NAMESPACE], or describe acnp NAME' },
    { args: ['pod', 'web'], message: '"pod" is not a kind describe knows: use anp (AuditNetworkPolicy) or acnp (AuditClusterNetworkPolicy)' },
    { args: ['networkpolicy/web'], message: '"networkpolicy" is not a kind describe knows' },
    { args: ['anp/'], message: 'anp/: the name after the "/" is missing' },
    { args: ['anp', 'anp/x'], message: 'give the kind once' },
    { args: ['anp', 'a', 'b'], message: 'describe takes one policy; got extra arguments: b' },
  ])('refuses $args', ({ args, message }) => {
    expect(() => parseDescribeTarget(args)).toThrow(message);
  });
});
