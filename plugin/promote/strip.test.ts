/**
 * Metadata stripping: what survives promotion and what does not, for both kinds.
 */
import { describe, expect, it } from 'vitest';
import type { AuditPolicy } from '../kube/objects.js';
import { labelValue, toNamespacedPolicy, toNetworkPolicy } from './strip.js';

const spec = { podSelector: { matchLabels: { app: 'payments' } }, policyTypes: ['Ingress'], ingress: [{ ports: [{ port: 8080, protocol: 'TCP' }] }] };

function stored(kind: AuditPolicy['kind'], namespace?: string): AuditPolicy {
  return {
    apiVersion: 'kguardian.dev/v1alpha1',
    kind,
    metadata: {
      name: 'payments',
      ...(namespace ? { namespace } : {}),
      uid: '0b3c',
      resourceVersion: '42',
      generation: 4,
      creationTimestamp: '2026-01-01T00:00:00Z',
      managedFields: [{ manager: 'kubectl' }],
      ownerReferences: [{ kind: 'Application', name: 'app', uid: 'x' }],
      finalizers: ['example.com/keep'],
      labels: { team: 'pay' },
      annotations: { 'kubectl.kubernetes.io/last-applied-configuration': '{}', owner: 'alice' },
    },
    spec: kind === 'AuditClusterNetworkPolicy' ? { ...spec, namespaceSelector: { matchLabels: { team: 'pay' } } } : spec,
    status: { observedGeneration: 4 },
  };
}

describe('toNetworkPolicy', () => {
  const np = toNetworkPolicy(stored('AuditNetworkPolicy', 'prod'));

  it('keeps the spec exactly and the user-written metadata, adds the source annotation', () => {
    expect(np).toEqual({
      apiVersion: 'networking.k8s.io/v1',
      kind: 'NetworkPolicy',
      metadata: { name: 'payments', namespace: 'prod', labels: { team: 'pay' }, annotations: { owner: 'alice', 'kguardian.dev/promoted-from': 'AuditNetworkPolicy/prod/payments@4' } },
      spec,
    });
  });

  it('copies the spec rather than sharing it', () => {
    expect(np.spec).not.toBe(spec);
  });

  it('omits labels when there are none', () => {
    const p = stored('AuditNetworkPolicy', 'prod');
    delete p.metadata.labels;
    expect('labels' in toNetworkPolicy(p).metadata).toBe(false);
  });
});

describe('toNamespacedPolicy', () => {
  it('drops namespaceSelector, sets the target namespace, labels the source', () => {
    const np = toNamespacedPolicy(stored('AuditClusterNetworkPolicy'), 'staging');
    expect(np.metadata).toEqual({
      name: 'payments',
      namespace: 'staging',
      labels: { team: 'pay', 'kguardian.dev/promoted-from-acnp': 'payments' },
      annotations: { owner: 'alice', 'kguardian.dev/promoted-from': 'AuditClusterNetworkPolicy/payments@4' },
    });
    expect(np.spec).toEqual(spec);
  });

  it.each([
    { name: 'short', value: 'short' },
    { name: 'a'.repeat(63), value: 'a'.repeat(63) },
    // Cut at 63 characters, then trailing punctuation removed: a label value must end alphanumeric.
    { name: `${'a'.repeat(62)}.bcd`, value: 'a'.repeat(62) },
  ])('label value for a $name.length-character name', ({ name, value }) => {
    expect(labelValue(name)).toBe(value);
  });
});
