/**
 * Loads the cluster snapshot given with --cluster: what
 * `kubectl get namespaces,pods,services,networkpolicies -A -o yaml` prints. Its
 * NetworkPolicies are the enforced ones; other kinds are counted and ignored.
 */
import type { NamespaceInfo, PodInfo, PolicyObject } from '../../policy/index.js';
import { namespaceFromObject, podFromObject } from '../../policy/kube-objects.js';
import { InputError } from '../errors.js';
import type { Source } from '../input/read-source.js';
import { checkPolicy } from './load-policies.js';
import { readObjects } from './objects.js';

export interface ClusterSnapshot {
  namespaces: NamespaceInfo[];
  pods: PodInfo[];
  networkPolicies: PolicyObject[];
  /** Objects the engine does not need (Services, audit policies, others), by kind. */
  ignored: Record<string, number>;
  warnings: string[];
}

export function loadCluster(source: Source): ClusterSnapshot {
  const snapshot: ClusterSnapshot = { namespaces: [], pods: [], networkPolicies: [], ignored: {}, warnings: [] };
  for (const o of readObjects(source)) {
    switch (o.kind) {
      case 'Namespace': {
        const ns = namespaceFromObject(o.object);
        if (!ns.ok) throw new InputError({ ...o.location, field: `${o.fieldPrefix}metadata.name` }, ns.reason);
        snapshot.namespaces.push(ns.value);
        break;
      }
      case 'Pod': {
        const pod = podFromObject(o.object);
        if (pod.ok) snapshot.pods.push(pod.value);
        else if (pod.reason.includes('metadata.name')) throw new InputError({ ...o.location, field: `${o.fieldPrefix}metadata.name` }, pod.reason);
        break;
      }
      case 'NetworkPolicy':
        snapshot.networkPolicies.push(checkPolicy(o, snapshot.warnings));
        break;
      default:
        snapshot.ignored[o.kind] = (snapshot.ignored[o.kind] ?? 0) + 1;
    }
  }
  return snapshot;
}
