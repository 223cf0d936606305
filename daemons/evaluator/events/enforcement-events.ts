/**
 * EnforcementMismatch Events on NetworkPolicies: the leader asks the broker every `pollMs` for the
 * flows where an enforced NetworkPolicy and the kernel disagree (GET /v1/enforcement?mismatches=true
 * over `window`), and writes a Warning Event on the NetworkPolicy for the mismatched flows it has
 * not announced yet. Rate-limited per policy like the would-deny Events: the first one at once, then
 * at most one per `minIntervalMs`, listing up to `maxListed` flows and counting the rest; flows
 * found meanwhile wait for the next. A flow is announced once per leadership (a new leader announces
 * what is still mismatched in its window once more: an Event too many rather than one missed).
 */
import { randomBytes } from 'node:crypto';
import { EventsV1Api, EventsV1Event, V1MicroTime, V1ObjectMeta, V1ObjectReference, type KubeConfig } from '@kubernetes/client-node';
import type { Logger } from '../../../runtime/logger.js';
import type { EnforcementMismatch } from '../../../contracts/enforcement.js';
import type { EnforcementClient } from '../broker-client.js';
import { REPORTING_CONTROLLER } from './offender-events.js';
import { endLabel } from '../../../contracts/flow-end-label.js';

export const MISMATCH_EVENT_REASON = 'EnforcementMismatch';

export interface EnforcementEventsOptions {
  broker: EnforcementClient;
  identity: string;
  logger: Logger;
  /** How often the broker is asked (default 5 s: a mismatch is announced within seconds). */
  pollMs?: number;
  /** The window asked for, as the broker parses it (default 15m). */
  window?: string;
  minIntervalMs?: number;
  maxListed?: number;
  now?: () => number;
  /** Told about each newly found mismatched flow (the counter) and each Event written. */
  onMismatch?: (m: EnforcementMismatch) => void;
  onEmitted?: () => void;
}

export interface EnforcementEvents {
  /** One poll: asks the broker and writes the Events due. Never throws. */
  poll(): Promise<void>;
  start(): void;
  stop(): Promise<void>;
}

interface Tracked {
  announced: Set<string>;
  pending: Map<string, EnforcementMismatch>;
  lastEmitAt: number;
}


export function mismatchKey(m: EnforcementMismatch): string {
  return [m.policy.uid, m.direction, m.src.namespace, m.src.pod, m.src.ip, m.dst.namespace, m.dst.pod, m.dst.ip, m.port, m.protocol, m.outcome].join('|');
}

/** The Event's note: at most 1 kB, as events.k8s.io/v1 requires. */
export function mismatchNote(listed: readonly EnforcementMismatch[], more: number): string {
  const n = listed.length + more;
  const lines = listed.map((m) => `${m.outcome}: ${endLabel(m.src)} -> ${endLabel(m.dst)}:${m.port}/${m.protocol} (${m.predicted === 'Deny' ? 'denied yet connected' : 'allowed yet failing'})`);
  let note = `${n} flow${n === 1 ? '' : 's'} where this NetworkPolicy and the kernel disagree: ${lines.join('; ')}`;
  if (more > 0) note += `; and ${more} more`;
  if (listed.some((m) => m.outcome === 'NotEnforced')) note += '. Is the CNI enforcing NetworkPolicies here?';
  return note.length > 1024 ? `${note.slice(0, 1020)}...` : note;
}

export function createEnforcementEvents(kc: KubeConfig, opts: EnforcementEventsOptions): EnforcementEvents {
  const api = kc.makeApiClient(EventsV1Api);
  const now = opts.now ?? Date.now;
  const minIntervalMs = opts.minIntervalMs ?? 60_000;
  const maxListed = opts.maxListed ?? 5;
  const tracked = new Map<string, Tracked>();
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> = Promise.resolve();

  async function emit(m: EnforcementMismatch, due: EnforcementMismatch[]): Promise<void> {
    const listed = due.slice(0, maxListed);
    const { namespace, name, uid } = m.policy;
    const regarding = Object.assign(new V1ObjectReference(), { apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', name, namespace, uid });
    const body = Object.assign(new EventsV1Event(), {
      apiVersion: 'events.k8s.io/v1',
      kind: 'Event',
      metadata: Object.assign(new V1ObjectMeta(), { name: `${name.slice(0, 200)}.${now().toString(16)}${randomBytes(3).toString('hex')}`, namespace }),
      eventTime: new V1MicroTime(now()),
      reportingController: REPORTING_CONTROLLER,
      reportingInstance: opts.identity.slice(0, 128),
      action: 'Verify',
      reason: MISMATCH_EVENT_REASON,
      type: 'Warning',
      regarding,
      note: mismatchNote(listed, due.length - listed.length),
    });
    await api.createNamespacedEvent({ namespace, body });
    opts.onEmitted?.();
  }

  async function poll(): Promise<void> {
    let rows: EnforcementMismatch[];
    try {
      rows = await opts.broker.enforcementMismatches(opts.window ?? '15m');
    } catch (err) {
      opts.logger.warn('could not read enforcement mismatches from the broker; trying again later', { error: err });
      return;
    }
    const touched = new Map<string, EnforcementMismatch>();
    for (const m of rows) {
      let t = tracked.get(m.policy.uid);
      if (t === undefined) {
        t = { announced: new Set(), pending: new Map(), lastEmitAt: -Infinity };
        tracked.set(m.policy.uid, t);
      }
      const key = mismatchKey(m);
      if (t.announced.has(key) || t.pending.has(key)) continue;
      t.pending.set(key, m);
      touched.set(m.policy.uid, m);
      opts.onMismatch?.(m);
    }
    for (const [uid, t] of tracked) {
      if (t.pending.size === 0 || now() - t.lastEmitAt < minIntervalMs) continue;
      const due = [...t.pending.values()];
      const first = touched.get(uid) ?? due[0];
      if (first === undefined) continue;
      try {
        await emit(first, due);
        for (const k of t.pending.keys()) t.announced.add(k);
        t.pending.clear();
      } catch (err) {
        opts.logger.warn('could not write the EnforcementMismatch Event; trying again later', { error: err, policy: `${first.policy.namespace}/${first.policy.name}` });
      }
      t.lastEmitAt = now();
    }
  }

  return {
    poll,
    start(): void {
      if (timer !== undefined) return;
      const tick = (): void => {
        running = poll().finally(() => {
          if (timer !== undefined) timer = setTimeout(tick, opts.pollMs ?? 5000);
        });
      };
      timer = setTimeout(tick, 0);
    },
    async stop(): Promise<void> {
      if (timer !== undefined) clearTimeout(timer);
      timer = undefined;
      await running;
      tracked.clear();
    },
  };
}
