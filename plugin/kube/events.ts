/**
 * Events about one policy, from both Event APIs: core/v1 (involvedObject) and
 * events.k8s.io/v1 (regarding). The server stores one kind of object behind both, so the
 * same Event can come back twice; it is kept once, by uid. An Event API the user may not
 * read is skipped with a note rather than failing the whole describe.
 */
import type { KubeConfig } from '@kubernetes/client-node';
import type { ApiTarget } from './errors.js';
import type { AuditPolicy } from './objects.js';

export interface EventRow {
  uid: string;
  type: string;
  reason: string;
  message: string;
  count: number;
  /** The most recent time it happened (ISO 8601), or '' when the server gave none. */
  last: string;
}

type ClientModule = typeof import('@kubernetes/client-node');

const LIMIT = 50;

function iso(t: unknown): string {
  if (t instanceof Date) return t.toISOString();
  return typeof t === 'string' ? t : '';
}

async function coreEvents(kc: KubeConfig, k8s: ClientModule, p: AuditPolicy): Promise<EventRow[]> {
  const api = kc.makeApiClient(k8s.CoreV1Api);
  const fieldSelector = `involvedObject.uid=${p.metadata.uid ?? ''}`;
  const ns = p.metadata.namespace;
  const list = ns ? await api.listNamespacedEvent({ namespace: ns, fieldSelector, limit: LIMIT }) : await api.listEventForAllNamespaces({ fieldSelector, limit: LIMIT });
  return list.items.map((e) => ({
    uid: e.metadata.uid ?? '',
    type: e.type ?? '',
    reason: e.reason ?? '',
    message: e.message ?? '',
    count: e.series?.count ?? e.count ?? 1,
    last: iso(e.series?.lastObservedTime ?? e.lastTimestamp ?? e.eventTime ?? e.firstTimestamp ?? e.metadata.creationTimestamp),
  }));
}

async function newEvents(kc: KubeConfig, k8s: ClientModule, p: AuditPolicy): Promise<EventRow[]> {
  const api = kc.makeApiClient(k8s.EventsV1Api);
  const fieldSelector = `regarding.uid=${p.metadata.uid ?? ''}`;
  const ns = p.metadata.namespace;
  const list = ns ? await api.listNamespacedEvent({ namespace: ns, fieldSelector, limit: LIMIT }) : await api.listEventForAllNamespaces({ fieldSelector, limit: LIMIT });
  return list.items.map((e) => ({
    uid: e.metadata?.uid ?? '',
    type: e.type ?? '',
    reason: e.reason ?? '',
    message: e.note ?? '',
    count: e.series?.count ?? e.deprecatedCount ?? 1,
    last: iso(e.series?.lastObservedTime ?? e.deprecatedLastTimestamp ?? e.eventTime ?? e.metadata?.creationTimestamp),
  }));
}

export async function listEvents(kc: KubeConfig, k8s: ClientModule, p: AuditPolicy, target: ApiTarget): Promise<{ events: EventRow[]; note?: string }> {
  const results = await Promise.allSettled([coreEvents(kc, k8s, p), newEvents(kc, k8s, p)]);
  const byUid = new Map<string, EventRow>();
  const failures: string[] = [];
  for (const r of results) {
    if (r.status === 'fulfilled') for (const e of r.value) byUid.set(e.uid, e);
    else failures.push(r.reason instanceof Error ? r.reason.message.split('\n')[0] ?? '' : String(r.reason));
  }
  const events = [...byUid.values()].sort((a, b) => b.last.localeCompare(a.last) || a.uid.localeCompare(b.uid));
  if (failures.length < results.length) return { events };
  const where = p.metadata.namespace ? ` in namespace ${p.metadata.namespace}` : '';
  return { events, note: `events could not be read${where} (context ${target.context}): ${failures[0] ?? ''}` };
}
