/**
 * Kubernetes Events on an audit policy for *new* would-deny offenders: flows in the top
 * offenders of a generation that earlier summaries of that generation did not show. They are
 * aggregated (one Event lists up to `maxListed` of them and counts the rest) and rate-limited per
 * policy (at most one Event per `minIntervalMs`; offenders found meanwhile wait for the next
 * one), so a flood of denied flows makes one Event a minute, never one per flow.
 *
 * What counts as already announced survives a change of leader without shared memory: the first
 * time a leader looks at a generation, the offenders already published in the stored status of
 * that generation count as announced.
 */
import { randomBytes } from 'node:crypto';
import { EventsV1Api, EventsV1Event, V1MicroTime, V1ObjectMeta, V1ObjectReference, type KubeConfig } from '@kubernetes/client-node';
import type { Logger } from '../../../runtime/logger.js';
import { GROUP_VERSION } from '../../../contracts/audit-policy-api.js';
import type { AuditPolicyVersion } from '../cluster/cluster-model.js';
import { offenderKey, type StatusOffender } from '../status/status-document.js';
import { statesText } from '../../../contracts/offender-states.js';
import { endLabel } from '../../../contracts/flow-end-label.js';

export const EVENT_REASON = 'WouldDeny';
export const REPORTING_CONTROLLER = 'kguardian.dev/evaluator';

export interface OffenderEventsOptions {
  identity: string;
  logger: Logger;
  minIntervalMs?: number;
  maxListed?: number;
  now?: () => number;
  /** Told about every Event written (metrics). */
  onEmitted?: () => void;
}

interface Tracked {
  generation: number;
  announced: Set<string>;
  pending: Map<string, StatusOffender>;
  lastEmitAt: number;
}

export interface OffenderEvents {
  /**
   * Looks at a generation's offenders (`published`: those in the stored status of the same
   * generation, or undefined) and writes an Event when new ones are due. Never throws.
   */
  observe(v: AuditPolicyVersion, offenders: readonly StatusOffender[], published: readonly StatusOffender[] | undefined): Promise<void>;
  forget(uid: string): void;
  /** Forgets everything (leadership lost). */
  reset(): void;
}


export function describeOffender(o: StatusOffender): string {
  const states = o.states === undefined ? '' : `, ${statesText(o.states)}`;
  return `${endLabel(o.source)} -> ${endLabel(o.destination)}:${o.port}/${o.protocol} (${o.direction}, ${o.count}x${states})`;
}

/** The Event's note: at most 1 kB, as events.k8s.io/v1 requires. */
export function eventNote(v: AuditPolicyVersion, listed: readonly StatusOffender[], more: number): string {
  const head = `${listed.length + more} new would-deny flow${listed.length + more === 1 ? '' : 's'} for generation ${v.generation}: `;
  let note = head + listed.map(describeOffender).join('; ');
  if (more > 0) note += `; and ${more} more`;
  return note.length > 1024 ? `${note.slice(0, 1020)}...` : note;
}

export function createOffenderEvents(kc: KubeConfig, opts: OffenderEventsOptions): OffenderEvents {
  const api = kc.makeApiClient(EventsV1Api);
  const now = opts.now ?? Date.now;
  const minIntervalMs = opts.minIntervalMs ?? 60_000;
  const maxListed = opts.maxListed ?? 5;
  const tracked = new Map<string, Tracked>();

  async function emit(v: AuditPolicyVersion, due: StatusOffender[]): Promise<void> {
    const listed = due.slice(0, maxListed);
    // Events of a cluster-scoped object live in "default", where kubectl describe looks for them.
    const namespace = v.namespace === '' ? 'default' : v.namespace;
    const regarding = Object.assign(new V1ObjectReference(), {
      apiVersion: GROUP_VERSION, kind: v.kind, name: v.name, namespace: v.namespace === '' ? undefined : v.namespace, uid: v.uid,
    });
    const body = Object.assign(new EventsV1Event(), {
      apiVersion: 'events.k8s.io/v1',
      kind: 'Event',
      // Named as client-go names Events (object name, a dot, a unique hex suffix); generateName cannot end in a dot.
      metadata: Object.assign(new V1ObjectMeta(), { name: `${v.name.slice(0, 200)}.${now().toString(16)}${randomBytes(3).toString('hex')}`, namespace }),
      eventTime: new V1MicroTime(now()),
      reportingController: REPORTING_CONTROLLER,
      reportingInstance: opts.identity.slice(0, 128),
      action: 'Evaluate',
      reason: EVENT_REASON,
      type: 'Warning',
      regarding,
      note: eventNote(v, listed, due.length - listed.length),
    });
    await api.createNamespacedEvent({ namespace, body });
    opts.onEmitted?.();
  }

  function track(v: AuditPolicyVersion, published: readonly StatusOffender[] | undefined): Tracked {
    let t = tracked.get(v.uid);
    if (t?.generation !== v.generation) {
      t = { generation: v.generation, announced: new Set((published ?? []).map(offenderKey)), pending: new Map(), lastEmitAt: t?.lastEmitAt ?? -Infinity };
      tracked.set(v.uid, t);
    }
    return t;
  }

  return {
    async observe(v, offenders, published): Promise<void> {
      const t = track(v, published);
      for (const o of offenders) {
        const key = offenderKey(o);
        if (!t.announced.has(key)) t.pending.set(key, o);
      }
      if (t.pending.size === 0 || now() - t.lastEmitAt < minIntervalMs) return;
      const due = [...t.pending.values()].sort((a, b) => b.count - a.count);
      try {
        await emit(v, due);
        t.lastEmitAt = now();
        for (const k of t.pending.keys()) t.announced.add(k);
        t.pending.clear();
      } catch (err) {
        opts.logger.warn('could not write the would-deny Event; trying again later', { error: err, policy: `${v.namespace}/${v.name}` });
        t.lastEmitAt = now();
      }
    },
    forget: (uid) => {
      tracked.delete(uid);
    },
    reset: () => {
      tracked.clear();
    },
  };
}
