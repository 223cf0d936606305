/**
 * Reads an audit policy's stored status and writes a new one, always as a JSON merge patch of
 * the status subresource (never a full update: a spec edit and a status write can never
 * overwrite each other). Each patch carries the resourceVersion just read, so it applies only
 * to the object as it was read; on 409 the object is read again, the status rebuilt from what is
 * now stored, and the patch retried. A write for a uid that is no longer there (deleted, or
 * deleted and re-created under the same name) is dropped.
 */
import { ApiException, CustomObjectsApi, PatchStrategy, setHeaderOptions, type KubeConfig } from '@kubernetes/client-node';
import { CRD_NAMES, GROUP, VERSION } from '../../../contracts/audit-policy-api.js';
import type { AuditPolicyVersion } from '../cluster/cluster-model.js';
import type { PolicyStatus } from './status-document.js';

export const FIELD_MANAGER = 'kguardian-evaluator';

/** What is stored now: the status plus the object's own generation and resourceVersion. */
export interface StoredPolicy {
  uid: string;
  generation: number;
  resourceVersion: string;
  status: PolicyStatus;
}

export type WriteResult = 'written' | 'gone' | 'skipped';

export interface StatusWriter {
  /** The object as stored, or null when it (with this uid) is gone. */
  read(v: AuditPolicyVersion): Promise<StoredPolicy | null>;
  /** Writes build(stored); `build` returning null skips the write. Retries conflicts. */
  write(v: AuditPolicyVersion, build: (stored: StoredPolicy) => PolicyStatus | null): Promise<WriteResult>;
}

interface RawObject {
  metadata?: { uid?: string; generation?: number; resourceVersion?: string };
  status?: PolicyStatus;
}

const isCode = (err: unknown, code: number): boolean => err instanceof ApiException && err.code === code;

export function createStatusWriter(kc: KubeConfig, opts: { conflictRetries?: number } = {}): StatusWriter {
  const api = kc.makeApiClient(CustomObjectsApi);
  const coords = (v: AuditPolicyVersion): { group: string; version: string; plural: string; name: string } => ({ group: GROUP, version: VERSION, plural: CRD_NAMES[v.kind].plural, name: v.name });

  async function read(v: AuditPolicyVersion): Promise<StoredPolicy | null> {
    let raw: RawObject;
    try {
      // Through the status subresource, which returns the whole object: the evaluator's RBAC
      // (the chart's ClusterRole) grants get on .../status, and only list and watch on the policies.
      raw = (v.kind === 'AuditNetworkPolicy'
        ? await api.getNamespacedCustomObjectStatus({ ...coords(v), namespace: v.namespace })
        : await api.getClusterCustomObjectStatus(coords(v))) as RawObject;
    } catch (err) {
      if (isCode(err, 404)) return null;
      throw err;
    }
    const m = raw.metadata ?? {};
    if (m.uid !== v.uid) return null;
    return { uid: v.uid, generation: m.generation ?? 0, resourceVersion: m.resourceVersion ?? '', status: raw.status ?? {} };
  }

  async function patch(v: AuditPolicyVersion, resourceVersion: string, status: PolicyStatus): Promise<void> {
    const body = { metadata: { resourceVersion }, status };
    const header = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);
    if (v.kind === 'AuditNetworkPolicy') {
      await api.patchNamespacedCustomObjectStatus({ ...coords(v), namespace: v.namespace, body, fieldManager: FIELD_MANAGER }, header);
    } else {
      await api.patchClusterCustomObjectStatus({ ...coords(v), body, fieldManager: FIELD_MANAGER }, header);
    }
  }

  return {
    read,
    async write(v, build): Promise<WriteResult> {
      const retries = opts.conflictRetries ?? 5;
      for (let attempt = 0; ; attempt++) {
        const stored = await read(v);
        if (stored === null) return 'gone';
        const status = build(stored);
        if (status === null) return 'skipped';
        try {
          await patch(v, stored.resourceVersion, status);
          return 'written';
        } catch (err) {
          if (isCode(err, 404)) return 'gone';
          if (!isCode(err, 409) || attempt >= retries) throw err;
        }
      }
    },
  };
}
