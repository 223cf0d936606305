/**
 * The spec the CRDs admit and the engine's hand-written spec types (policy/types.ts) are the same
 * shape: every spec the API server lets through is one the engine takes, and the engine's types
 * name exactly the CRD's fields, optional where the CRD leaves them out. The engine reads enums
 * (protocol, policyTypes) as text, since it also reads networking.k8s.io/v1 objects as they come.
 * Checked by the typecheck (expectTypeOf), like the status contract.
 */
import { describe, expectTypeOf, it } from 'vitest';
import type { ClusterNetworkPolicySpec, NetworkPolicyPort, NetworkPolicySpec } from '../../policy/types.js';
import type { ClusterNetworkPolicySpecSchema } from './crd.js';
import type { NetworkPolicySpecSchema } from './networkpolicy.js';

/** `T` with its string enums read as plain strings. */
type Widen<T> = T extends string
  ? string
  : T extends readonly (infer U)[]
    ? Widen<U>[]
    : T extends object
      ? { [K in keyof T]: Widen<T[K]> }
      : T;

type SchemaPort = NonNullable<NonNullable<NetworkPolicySpecSchema['ingress']>[number]['ports']>[number];

describe('the CRD spec and the engine spec types', () => {
  it('every spec the CRDs admit is one the engine takes', () => {
    expectTypeOf<NetworkPolicySpecSchema>().toExtend<NetworkPolicySpec>();
    expectTypeOf<ClusterNetworkPolicySpecSchema>().toExtend<ClusterNetworkPolicySpec>();
  });

  it('the engine names exactly the same fields, optional alike, enums as text', () => {
    expectTypeOf<Widen<NetworkPolicySpecSchema>>().toEqualTypeOf<NetworkPolicySpec>();
    expectTypeOf<Widen<ClusterNetworkPolicySpecSchema>>().toEqualTypeOf<ClusterNetworkPolicySpec>();
    expectTypeOf<Widen<SchemaPort>>().toEqualTypeOf<{ protocol?: string; port?: string | number; endPort?: number }>();
    expectTypeOf<NetworkPolicyPort>().toEqualTypeOf<{ protocol?: string; port?: string | number; endPort?: number }>();
  });

  it('reads the enums, the int-or-string port and the label map from the schema', () => {
    expectTypeOf<SchemaPort['protocol']>().toEqualTypeOf<'TCP' | 'UDP' | 'SCTP' | undefined>();
    expectTypeOf<SchemaPort['port']>().toEqualTypeOf<number | string | undefined>();
    expectTypeOf<NetworkPolicySpecSchema['policyTypes']>().toEqualTypeOf<('Ingress' | 'Egress')[] | undefined>();
    expectTypeOf<NonNullable<NetworkPolicySpecSchema['podSelector']>['matchLabels']>().toEqualTypeOf<Record<string, string> | undefined>();
  });
});
