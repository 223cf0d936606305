/** Every spelling of a describe target kubectl users reach for, and the mistakes. */
import { describe, expect, it } from 'vitest';
import { parseDescribeTarget } from './target.js';

describe('parseDescribeTarget', () => {
  it.each([
    { args: ['payments'], kind: 'AuditNetworkPolicy', name: 'payments' },
    { args: ['kganp', 'payments'], kind: 'AuditNetworkPolicy', name: 'payments' },
    { args: ['kganp/payments'], kind: 'AuditNetworkPolicy', name: 'payments' },
    { args: ['auditnetworkpolicy/payments'], kind: 'AuditNetworkPolicy', name: 'payments' },
    { args: ['AuditNetworkPolicy', 'payments'], kind: 'AuditNetworkPolicy', name: 'payments' },
    { args: ['auditnetworkpolicies.kguardian.dev', 'payments'], kind: 'AuditNetworkPolicy', name: 'payments' },
    { args: ['kgacnp', 'platform'], kind: 'AuditClusterNetworkPolicy', name: 'platform' },
    { args: ['kgacnp/platform'], kind: 'AuditClusterNetworkPolicy', name: 'platform' },
    { args: ['auditclusternetworkpolicies', 'platform'], kind: 'AuditClusterNetworkPolicy', name: 'platform' },
  ])('$args', ({ args, kind, name }) => {
    const t = parseDescribeTarget(args);
    expect([t.res.kind, t.name]).toEqual([kind, name]);
  });

  it.each([
    { args: [], message: 'name a policy: describe NAME [-n NAMESPACE], or describe kgacnp NAME' },
    { args: ['pod', 'web'], message: '"pod" is not a kind describe knows: use kganp (AuditNetworkPolicy) or kgacnp (AuditClusterNetworkPolicy)' },
    { args: ['networkpolicy/web'], message: '"networkpolicy" is not a kind describe knows' },
    { args: ['kganp/'], message: 'kganp/: the name after the "/" is missing' },
    { args: ['kganp', 'kganp/x'], message: 'give the kind once' },
    { args: ['kganp', 'a', 'b'], message: 'describe takes one policy; got extra arguments: b' },
  ])('refuses $args', ({ args, message }) => {
    expect(() => parseDescribeTarget(args)).toThrow(message);
  });
});
