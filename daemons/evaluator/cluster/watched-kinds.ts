/**
 * The seven kinds the model watches, each with its list call, watch path and the index method
 * its objects go to. The kguardian CRDs are listed through the custom objects API (plain JSON),
 * the built-in kinds through their typed APIs.
 */
import {
  CoreV1Api,
  CustomObjectsApi,
  DiscoveryV1Api,
  NetworkingV1Api,
  type KubeConfig,
  type KubernetesListObject,
  type KubernetesObject,
} from '@kubernetes/client-node';
import { AUDIT_CLUSTER_NETWORK_POLICY, AUDIT_NETWORK_POLICY, GROUP, VERSION } from '../../../contracts/audit-policy-api.js';
import type { ClusterIndex } from './cluster-index.js';
import type { KindSpec } from './kind-watch.js';

type List = Promise<KubernetesListObject<KubernetesObject>>;

export function watchedKinds(kc: KubeConfig, index: ClusterIndex): KindSpec[] {
  const core = kc.makeApiClient(CoreV1Api);
  const discovery = kc.makeApiClient(DiscoveryV1Api);
  const networking = kc.makeApiClient(NetworkingV1Api);
  const custom = kc.makeApiClient(CustomObjectsApi);
  return [
    {
      kind: 'Namespace',
      path: '/api/v1/namespaces',
      list: (): List => core.listNamespace(),
      apply: (o) => { index.applyNamespace(o); },
      remove: (o) => { index.removeNamespace(o); },
    },
    {
      kind: 'Pod',
      path: '/api/v1/pods',
      list: (): List => core.listPodForAllNamespaces(),
      apply: (o) => { index.applyPod(o); },
      remove: (o) => { index.removePod(o); },
    },
    {
      kind: 'Service',
      path: '/api/v1/services',
      list: (): List => core.listServiceForAllNamespaces(),
      apply: (o) => { index.applyService(o); },
      remove: (o) => { index.removeService(o); },
    },
    {
      kind: 'EndpointSlice',
      path: '/apis/discovery.k8s.io/v1/endpointslices',
      list: (): List => discovery.listEndpointSliceForAllNamespaces(),
      apply: (o) => { index.applyEndpointSlice(o); },
      remove: (o) => { index.removeEndpointSlice(o); },
    },
    {
      kind: 'NetworkPolicy',
      path: '/apis/networking.k8s.io/v1/networkpolicies',
      list: (): List => networking.listNetworkPolicyForAllNamespaces(),
      apply: (o) => { index.applyPolicy('NetworkPolicy', o); },
      remove: (o) => { index.removePolicy('NetworkPolicy', o); },
    },
    {
      kind: 'AuditNetworkPolicy',
      path: `/apis/${GROUP}/${VERSION}/${AUDIT_NETWORK_POLICY.plural}`,
      list: (): List => custom.listCustomObjectForAllNamespaces({ group: GROUP, version: VERSION, resourcePlural: AUDIT_NETWORK_POLICY.plural }) as List,
      apply: (o) => { index.applyPolicy('AuditNetworkPolicy', o); },
      remove: (o) => { index.removePolicy('AuditNetworkPolicy', o); },
    },
    {
      kind: 'AuditClusterNetworkPolicy',
      path: `/apis/${GROUP}/${VERSION}/${AUDIT_CLUSTER_NETWORK_POLICY.plural}`,
      list: (): List => custom.listClusterCustomObject({ group: GROUP, version: VERSION, plural: AUDIT_CLUSTER_NETWORK_POLICY.plural }) as List,
      apply: (o) => { index.applyPolicy('AuditClusterNetworkPolicy', o); },
      remove: (o) => { index.removePolicy('AuditClusterNetworkPolicy', o); },
    },
  ];
}
