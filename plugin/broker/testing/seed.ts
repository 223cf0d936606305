/**
 * Puts verdicts into a broker's PostgreSQL database the way the broker itself would: flows are
 * ingested through the store, then claimed and judged (as the evaluation loop does with the
 * evaluator's answer). Times are fixed on one day so golden files differ only by that date.
 */
import type { FlowObservation } from '../../../contracts/flow-batch.js';
import { openStore } from '../../../daemons/broker/store/open-store.js';
import { DEFAULT_RETENTION } from '../../../daemons/broker/store/sql-store.js';
import type { NewVerdict, Store, StoredFlow } from '../../../daemons/broker/store/types.js';
import { batch, observation } from '../../../daemons/broker/testing/fixtures.js';
import { judgePending } from '../../../daemons/broker/testing/test-app.js';

export interface SeedRow {
  /** Unique per row: the source pod's name (the judge finds the verdict by it). */
  srcPod: string;
  srcNamespace?: string;
  dst: { namespace?: string; pod?: string; ip: string; port: number };
  protocol?: 'TCP' | 'UDP';
  /** Default: established for TCP, seen for UDP. */
  state?: FlowObservation['state'];
  /** Seconds after 10:00:00 on the seed day. */
  second: number;
  verdict: NewVerdict;
}

/** Yesterday (UTC) as YYYY-MM-DD: within retention, fixed for the whole test file. */
export function seedDay(now = new Date()): string {
  return new Date(now.getTime() - 86_400_000).toISOString().slice(0, 10);
}

export function observationOf(day: string, r: SeedRow): FlowObservation {
  const at = new Date(Date.parse(`${day}T10:00:00.000Z`) + r.second * 1000).toISOString();
  const dstKind = r.dst.pod ? 'pod' : 'external';
  return observation({
    at,
    src: { ip: `10.0.1.${(r.second % 250) + 1}`, port: 40000 + r.second, kind: 'pod', namespace: r.srcNamespace ?? 'frontend', pod: r.srcPod },
    dst: { ip: r.dst.ip, port: r.dst.port, kind: dstKind, ...(r.dst.pod ? { namespace: r.dst.namespace, pod: r.dst.pod } : {}) },
    protocol: r.protocol ?? 'TCP',
    state: r.state ?? (r.protocol === 'UDP' ? 'seen' : 'established'),
    direction: r.verdict.direction,
  });
}

export class Seeder {
  private constructor(
    readonly store: Store,
    readonly day: string,
  ) {}

  static async open(databaseUrl: string, day = seedDay()): Promise<Seeder> {
    return new Seeder(await openStore({ databaseUrl, poolSize: 2, retention: DEFAULT_RETENTION }), day);
  }

  /** Stores the rows' flows and their verdicts; returns how many verdicts were stored. */
  async add(rows: readonly SeedRow[]): Promise<number> {
    const byPod = new Map(rows.map((r) => [r.srcPod, r.verdict]));
    for (let i = 0; i < rows.length; i += 1000) {
      await this.store.ingest(batch(rows.slice(i, i + 1000).map((r) => observationOf(this.day, r))), new Date());
    }
    const judge = (f: StoredFlow): NewVerdict[] => {
      const v = f.src.pod === undefined ? undefined : byPod.get(f.src.pod);
      return v ? [v] : [];
    };
    return judgePending(this.store, new Date(`${this.day}T12:00:00.000Z`), judge);
  }

  close(): Promise<void> {
    return this.store.close();
  }
}

export function policyRef(namespace: string, name: string, kind: NewVerdict['policy']['kind'] = 'AuditNetworkPolicy'): NewVerdict['policy'] {
  return { uid: `uid-${namespace || 'cluster'}-${name}`, kind, namespace, name, generation: 3 };
}
