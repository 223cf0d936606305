/**
 * The plugin's calls to the API server, each mapped through describeApiError so a command
 * never shows a raw HTTP error. Built by openAuditApi(), which imports the client library
 * lazily: commands that never talk to a cluster never load it.
 */
import type { KubeConfig } from '@kubernetes/client-node';
import type { NetworkPolicyObject } from '../promote/strip.js';
import type { KubeConnection } from './connect.js';
import { describeApiError, type ApiRequest } from './errors.js';
import type { EventRow } from './events.js';
import { GROUP, VERSION } from '../../contracts/audit-policy-api.js';
import type { AuditPolicy, AuditResource } from './objects.js';

export const FIELD_MANAGER = 'kguardian';

export interface NamespaceInfo {
  name: string;
  labels: Record<string, string>;
}

/** One Event about an object, from core/v1 or events.k8s.io/v1. */

export type { EventRow };

export interface AuditApi {
  conn: KubeConnection;
  get(res: AuditResource, name: string, namespace?: string): Promise<AuditPolicy>;
  /** namespace undefined: every namespace (or cluster-scoped). Sorted by namespace, then name. */
  list(res: AuditResource, namespace?: string, labelSelector?: string): Promise<AuditPolicy[]>;
  namespaces(): Promise<NamespaceInfo[]>;
  /** NetworkPolicies in every namespace carrying this label selector, as "namespace/name". */
  networkPolicies(labelSelector: string): Promise<{ namespace: string; name: string }[]>;
  /** The labels and annotations of NetworkPolicy NAMESPACE/NAME, or undefined when there is none. */
  readNetworkPolicy(namespace: string, name: string): Promise<{ labels: Record<string, string>; annotations: Record<string, string> } | undefined>;
  /**
   * Server-side apply as field manager "kguardian"; dryRun asks the server to validate without
   * storing; forceConflicts takes over fields another manager set to other values.
   */
  apply(np: NetworkPolicyObject, dryRun: boolean, forceConflicts?: boolean): Promise<void>;
  remove(res: AuditResource, p: AuditPolicy, dryRun: boolean): Promise<void>;
  /** Recent Events about the object, newest first; `note` says why some could not be read. */
  events(p: AuditPolicy): Promise<{ events: EventRow[]; note?: string }>;
}

function customReq(res: AuditResource, verb: ApiRequest['verb'], namespace?: string, name?: string): ApiRequest {
  return { verb, resource: `${res.plural}.${GROUP}`, kind: res.kind, namespace, name, custom: true, short: res.shortName };
}

/**
 * The NetworkPolicy in the shape client-node's serializer reads. patch() serializes a known kind
 * through its generated model, which names an ingress rule's `from` `_from` (a reserved word in
 * its generator): a plain `from` is silently dropped, and the applied policy then admits every
 * source on the rule's ports. Every other field of NetworkPolicy keeps its name.
 */
export function asClientModel(np: NetworkPolicyObject): NetworkPolicyObject {
  const spec = np.spec as { ingress?: Record<string, unknown>[] } | undefined;
  if (!spec?.ingress) return np;
  const ingress = spec.ingress.map(({ from, ...rule }) => (from === undefined ? rule : { ...rule, _from: from }));
  return { ...np, spec: { ...spec, ingress } };
}

export async function openAuditApi(conn: KubeConnection): Promise<AuditApi> {
  const k8s = await import('@kubernetes/client-node');
  const kc: KubeConfig = conn.kc;
  const custom = kc.makeApiClient(k8s.CustomObjectsApi);
  const core = kc.makeApiClient(k8s.CoreV1Api);
  const net = kc.makeApiClient(k8s.NetworkingV1Api);
  const objects = k8s.KubernetesObjectApi.makeApiClient(kc);
  const call = async <T>(req: ApiRequest, f: () => Promise<T>): Promise<T> => {
    try {
      return await f();
    } catch (e) {
      throw describeApiError(e, req, conn);
    }
  };

  return {
    conn,
    async get(res: AuditResource, name: string, namespace?: string): Promise<AuditPolicy> {
      const ns = res.namespaced ? namespace : undefined;
      return call(customReq(res, 'get', ns, name), async () => {
        const base = { group: GROUP, version: VERSION, plural: res.plural, name };
        const obj: unknown = ns ? await custom.getNamespacedCustomObject({ ...base, namespace: ns }) : await custom.getClusterCustomObject(base);
        return obj as AuditPolicy;
      });
    },

    async list(res: AuditResource, namespace?: string, labelSelector?: string): Promise<AuditPolicy[]> {
      const ns = res.namespaced ? namespace : undefined;
      const list = await call(customReq(res, 'list', ns), async () => {
        const base = { group: GROUP, version: VERSION, plural: res.plural, ...(labelSelector ? { labelSelector } : {}) };
        const out: unknown = ns ? await custom.listNamespacedCustomObject({ ...base, namespace: ns }) : await custom.listClusterCustomObject(base);
        return out as { items: AuditPolicy[] };
      });
      return [...list.items].sort((a, b) => (a.metadata.namespace ?? '').localeCompare(b.metadata.namespace ?? '') || a.metadata.name.localeCompare(b.metadata.name));
    },

    async namespaces(): Promise<NamespaceInfo[]> {
      const list = await call({ verb: 'list', resource: 'namespaces', kind: 'Namespace' }, () => core.listNamespace());
      return list.items.map((n) => ({ name: n.metadata?.name ?? '', labels: n.metadata?.labels ?? {} })).sort((a, b) => a.name.localeCompare(b.name));
    },

    async networkPolicies(labelSelector: string): Promise<{ namespace: string; name: string }[]> {
      const req: ApiRequest = { verb: 'list', resource: 'networkpolicies.networking.k8s.io', kind: 'NetworkPolicy' };
      const list = await call(req, () => net.listNetworkPolicyForAllNamespaces({ labelSelector }));
      return list.items.map((n) => ({ namespace: n.metadata?.namespace ?? '', name: n.metadata?.name ?? '' }));
    },

    async readNetworkPolicy(namespace: string, name: string): Promise<{ labels: Record<string, string>; annotations: Record<string, string> } | undefined> {
      const req: ApiRequest = { verb: 'get', resource: 'networkpolicies.networking.k8s.io', kind: 'NetworkPolicy', namespace, name };
      try {
        const np = await net.readNamespacedNetworkPolicy({ namespace, name });
        return { labels: np.metadata?.labels ?? {}, annotations: np.metadata?.annotations ?? {} };
      } catch (e) {
        // Not there (or its namespace is not): nothing to take over; the apply reports a missing namespace itself.
        if ((e as { code?: unknown }).code === 404) return undefined;
        throw describeApiError(e, req, conn);
      }
    },

    async apply(np: NetworkPolicyObject, dryRun: boolean, forceConflicts = false): Promise<void> {
      const req: ApiRequest = { verb: 'patch', resource: 'networkpolicies.networking.k8s.io', kind: 'NetworkPolicy', namespace: np.metadata.namespace, name: np.metadata.name };
      await call(req, () => objects.patch(asClientModel(np), undefined, dryRun ? 'All' : undefined, FIELD_MANAGER, forceConflicts, k8s.PatchStrategy.ServerSideApply));
    },

    async remove(res: AuditResource, p: AuditPolicy, dryRun: boolean): Promise<void> {
      const ns = res.namespaced ? p.metadata.namespace : undefined;
      await call(customReq(res, 'delete', ns, p.metadata.name), async () => {
        const base = { group: GROUP, version: VERSION, plural: res.plural, name: p.metadata.name, ...(dryRun ? { dryRun: 'All' } : {}) };
        if (ns) await custom.deleteNamespacedCustomObject({ ...base, namespace: ns });
        else await custom.deleteClusterCustomObject(base);
      });
    },

    events: (p: AuditPolicy) => import('./events.js').then((m) => m.listEvents(kc, k8s, p, conn)),
  };
}
