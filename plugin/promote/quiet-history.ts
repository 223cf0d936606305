/**
 * --min-quiet's evidence: how many would-deny observations the broker recorded for each source
 * over the whole period (GET /audit/summary by the object's uid, every generation: an edit does
 * not restart the clock, the period is quiet only when no version of the policy would have denied
 * anything in it). The evaluator's status only speaks for its rolling window (1h by default), so
 * it cannot vouch for 24h; the broker keeps the verdicts for days. A broker that cannot be reached
 * or answered with an error is recorded as such, and the gate refuses with the next step.
 */
import type { KubeConfig } from '@kubernetes/client-node';
import { brokerClient, type Query } from '../broker/client.js';
import { openBroker } from '../broker/connect.js';
import type { BrokerOptions } from '../broker/types.js';
import type { CliIO } from '../io.js';
import type { AuditPolicy } from '../kube/objects.js';
import type { GateOptions, QuietEvidence } from './gate.js';

/** What the broker said about one source over the --min-quiet period. */
export type { QuietEvidence };
export type QuietHistory = Map<AuditPolicy, QuietEvidence>;

/** The broker's window parameter (whole seconds, its accepted form), at least the period asked for. */
export function windowParam(ms: number): string {
  return `${Math.max(1, Math.ceil(ms / 1000))}s`;
}

function query(p: AuditPolicy, minQuiet: NonNullable<GateOptions['minQuiet']>): Query {
  // namespace= makes the broker check `get auditverdicts` in that namespace, not cluster-wide.
  const scope = p.metadata.namespace ? { namespace: p.metadata.namespace, policy: p.metadata.name } : {};
  const who = p.metadata.uid ? { uid: p.metadata.uid } : { policy: p.metadata.name, namespace: p.metadata.namespace ?? '' };
  return { ...scope, ...who, window: windowParam(minQuiet.ms), top: 1 };
}

const message = (e: unknown): string => (e instanceof Error ? e.message : String(e));

export async function readQuietHistory(
  sources: readonly AuditPolicy[],
  minQuiet: NonNullable<GateOptions['minQuiet']>,
  broker: BrokerOptions,
  kc: KubeConfig,
  io: CliIO,
): Promise<QuietHistory> {
  const out: QuietHistory = new Map();
  let conn: Awaited<ReturnType<typeof openBroker>>;
  try {
    conn = await openBroker(broker, io, () => Promise.resolve(kc));
  } catch (e) {
    for (const s of sources) out.set(s, { error: message(e) });
    return out;
  }
  try {
    const client = brokerClient(conn);
    for (const s of sources) {
      try {
        const r = await client.getJson<{ allow: number; wouldDeny: number }>('/audit/summary', query(s, minQuiet));
        out.set(s, { wouldDeny: r.wouldDeny, observations: r.allow + r.wouldDeny });
      } catch (e) {
        out.set(s, { error: message(e) });
      }
    }
  } finally {
    await conn.close();
  }
  return out;
}
